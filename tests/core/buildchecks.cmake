stagecraft_add_test(tst_buildchecks
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildchecks.cpp
  LIBS stagecraft_checks)
