# `stagecraft run` like `docker run` (-d -p, ps, stop, logs and the command's options), and
# `stagecraft doctor`, as a user runs them.
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_run SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_run.cpp LIBS stagecraft_exec Qt6::Network TIMEOUT 300)
  target_compile_definitions(tst_cli_run PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_run stagecraft)
endif()
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_doctor SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_doctor.cpp LIBS stagecraft_exec TIMEOUT 120)
  target_compile_definitions(tst_cli_doctor PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_doctor stagecraft)
endif()
