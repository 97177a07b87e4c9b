# `stagecraft build --cache-to/--cache-from`: the busybox seed's cache exported, imported
# into an empty store and through Debian's docker-registry on 127.0.0.1.
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_buildcache SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_buildcache.cpp
    LIBS stagecraft_builder stagecraft_kit Qt6::Network TIMEOUT 600)
  target_include_directories(tst_cli_buildcache PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests/core)
  target_compile_definitions(tst_cli_buildcache PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_buildcache stagecraft)
endif()
