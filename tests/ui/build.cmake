# Builds in the window: the session, the log, node states, badges, cancel and failure.
stagecraft_add_test(tst_build
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_build.cpp
  LIBS stagecraft_ui stagecraft_test_support
  GUI LABELS ui TIMEOUT 180)
