# core/engine: BuildKit's plain progress read into build events (captured engine output
# in tests/data/engine).
stagecraft_add_test(tst_plainprogress SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_plainprogress.cpp
  LIBS stagecraft_engine stagecraft_progress)
# The docker engine against a private dockerd the test starts (root and docker.io; skips
# without them, saying why).
stagecraft_add_test(tst_dockerengine SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_dockerengine.cpp
  LIBS stagecraft_engine stagecraft_progress stagecraft_test_support TIMEOUT 600)
# OciTarball against hostile tarballs made in the test (links, devices, escaping names,
# bounds, truncation), and a good layout through to the store.
stagecraft_add_test(tst_ocitarball SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_ocitarball.cpp
  LIBS stagecraft_engine stagecraft_store stagecraft_oci LibArchive::LibArchive)
