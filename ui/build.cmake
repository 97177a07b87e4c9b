# Builds in the window: running, cancelling, the log, layer badges.
target_sources(stagecraft_ui PRIVATE
  buildsession.cpp
  buildcontroller.cpp
  buildlogmodel.cpp
  buildlogview.cpp
)
