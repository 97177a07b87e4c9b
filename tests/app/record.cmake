# `stagecraft build --record` and `stagecraft record show|import` as a user runs them.
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_record SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_record.cpp LIBS Qt6::Core TIMEOUT 300)
  target_compile_definitions(tst_cli_record PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_record stagecraft)
endif()
