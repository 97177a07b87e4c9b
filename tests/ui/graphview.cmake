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
# The graph in the window at projector sizes: whole and readable, wide graphs wrapped.
stagecraft_add_test(tst_graphreadable
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_graphreadable.cpp
  LIBS stagecraft_ui
  GUI LABELS ui TIMEOUT 180)
