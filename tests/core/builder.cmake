# core/builder: the embedded builder, checked against Docker's reference images.
stagecraft_add_test(tst_builder SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_builder.cpp
  LIBS stagecraft_builder Qt6::Network TIMEOUT 600)
# Hostile Dockerfiles, contexts and images: nothing they name may reach outside its root.
stagecraft_add_test(tst_buildhostile SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildhostile.cpp
  LIBS stagecraft_builder Qt6::Network TIMEOUT 300)
# The debug shell's core API (a failed RUN handed over, a shell on a relayed pty).
stagecraft_add_test(tst_debugshell SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_debugshell.cpp
  LIBS stagecraft_builder Qt6::Network TIMEOUT 300)
# BuildKit's Dockerfile semantics, as the builder runs the build plan (one row per rule).
stagecraft_add_test(tst_buildsemantics SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildsemantics.cpp
  LIBS stagecraft_builder TIMEOUT 300)
# ADD's downloads and their cache, against an HTTP server the test scripts.
stagecraft_add_test(tst_download SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_download.cpp
  LIBS stagecraft_builder Qt6::Network TIMEOUT 300)
# Why a step was not cached: builds changed one input at a time, the step records read back.
stagecraft_add_test(tst_cacheexplanation SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cacheexplanation.cpp
  LIBS stagecraft_builder TIMEOUT 300)
# The build cache carried between machines: keys, export as an OCI layout, import, damage.
stagecraft_add_test(tst_buildcache SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildcache.cpp
  LIBS stagecraft_builder stagecraft_progress TIMEOUT 300)
