stagecraft_add_test(tst_shelllex
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_shelllex.cpp
  LIBS stagecraft_dockerfile)
