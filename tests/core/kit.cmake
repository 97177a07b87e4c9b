# core/kit: a classroom kit's coverage check (which steps would run, which need the network).
stagecraft_add_test(tst_classroomkit SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_classroomkit.cpp
  LIBS stagecraft_kit)
