# The shell completion and the manual page the build makes from the --help texts
# (packaging/): the bash script sourced and asked for candidates as Tab asks for them, and
# every command and option of the --help texts found in stagecraft.1.
if(TARGET stagecraft_installed_files)
  add_test(NAME tst_completion_bash
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/tst_completion_bash.sh $<TARGET_FILE:stagecraft>
            ${PROJECT_BINARY_DIR}/packaging/stagecraft.bash ${PROJECT_SOURCE_DIR}/tests/data/images)
  stagecraft_add_test(tst_cli_manual SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_manual.cpp LIBS Qt6::Core)
  target_compile_definitions(tst_cli_manual PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>"
                             STAGECRAFT_MANUAL="${PROJECT_BINARY_DIR}/packaging/stagecraft.1")
  add_dependencies(tst_cli_manual stagecraft stagecraft_installed_files)
endif()
