stagecraft_add_test(tst_syntaxtokens
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_syntaxtokens.cpp
  LIBS stagecraft_dockerfile)
