# core/progress: the build-progress model the window and build records share.
stagecraft_add_test(tst_buildprogress SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildprogress.cpp
  LIBS stagecraft_progress TIMEOUT 300)
