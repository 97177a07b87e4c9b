# `stagecraft pull` and `stagecraft push` run as a user runs them, against Debian's
# docker-registry on 127.0.0.1. Needs the executable (not built with the UI off).
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_registry SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_registry.cpp
    LIBS Qt6::Core Qt6::Network TIMEOUT 120)
  target_include_directories(tst_cli_registry PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(tst_cli_registry PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_registry stagecraft)
endif()
