# The stage graph widget: its layout (plain data) and the view (offscreen).
stagecraft_add_test(tst_graphlayout
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_graphlayout.cpp
  LIBS stagecraft_ui
  LABELS ui)
stagecraft_add_test(tst_stagegraphview
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_stagegraphview.cpp
  LIBS stagecraft_ui Qt6::Widgets
  LABELS ui
  GUI)
