# `stagecraft build --debug-shell`: a shell in a failed RUN step's filesystem.
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_debugshell SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_debugshell.cpp LIBS stagecraft_exec TIMEOUT 300)
  target_compile_definitions(tst_cli_debugshell PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_debugshell stagecraft)
endif()
