stagecraft_add_test(tst_stagegraph SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_stagegraph.cpp LIBS stagecraft_plan)
stagecraft_add_test(tst_buildplan SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildplan.cpp LIBS stagecraft_plan)
