stagecraft_add_test(tst_buildchecks
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildchecks.cpp
  LIBS stagecraft_checks stagecraft_context)
stagecraft_add_test(tst_stagecraftchecks
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_stagecraftchecks.cpp
  LIBS stagecraft_checks stagecraft_context)
stagecraft_add_test(tst_sarifreport
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sarifreport.cpp
  LIBS stagecraft_checks)
stagecraft_add_test(tst_codequalityreport
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_codequalityreport.cpp
  LIBS stagecraft_checks)
