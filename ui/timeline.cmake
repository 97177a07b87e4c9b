# The Timeline dock: a build's steps over time (the layout is plain data, the view only draws).
target_sources(stagecraft_ui PRIVATE
  timelinelayout.cpp
  timelineview.cpp
)
