# The Timeline: its layout from build events (plain data) and the view (offscreen, a real build).
stagecraft_add_test(tst_timelineview
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_timelineview.cpp
  LIBS stagecraft_ui Qt6::Widgets
  LABELS ui
  GUI TIMEOUT 180)
