# core/progress: the build-progress model the window and build records share.
stagecraft_add_test(tst_buildprogress SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildprogress.cpp
  LIBS stagecraft_progress TIMEOUT 300)
# Build records and BuildKit's rawjson progress: round trips of real builds, hostile input.
stagecraft_add_test(tst_buildrecord SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildrecord.cpp
  LIBS stagecraft_progress TIMEOUT 600)
# BuildKit's own records: pretty-printed rawjson, provenance source lines, `.dockerbuild` archives.
stagecraft_add_test(tst_dockerbuildarchive SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_dockerbuildarchive.cpp
  LIBS stagecraft_progress)
