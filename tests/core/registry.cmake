# Tests of core/registry: reference normalisation, settings, credentials, and pulls and
# pushes against Debian's docker-registry and a registry served by the test itself.
stagecraft_add_test(tst_registry SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_registry.cpp
  LIBS stagecraft_registry TIMEOUT 120)
