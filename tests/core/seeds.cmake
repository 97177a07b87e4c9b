# The seeds' examples for real: the Go build on a debootstrap debian:bookworm base
# (label `slow`: it downloads golang-go from the Debian mirror; it runs only when
# STAGECRAFT_SEED_STORE names a store holding that base, see scripts/make-base-image),
# and the same busybox build by Stagecraft and by buildah, compared file by file.
if(TARGET stagecraft)
  stagecraft_add_test(tst_seedbuild SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_seedbuild.cpp
    LIBS stagecraft_builder LABELS slow TIMEOUT 1800)
  target_compile_definitions(tst_seedbuild PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_seedbuild stagecraft)
endif()
# Label `reference`: its time goes to buildah; the sanitizer run skips it (the builder's
# own code runs under the sanitizers in tst_builder).
stagecraft_add_test(tst_buildahcompare SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildahcompare.cpp
  LIBS stagecraft_builder LABELS reference TIMEOUT 300)
