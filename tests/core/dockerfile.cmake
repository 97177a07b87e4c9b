stagecraft_add_test(tst_parser
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_parser.cpp
  LIBS stagecraft_dockerfile
  LABELS dockerfile)
