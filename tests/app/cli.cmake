if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_graph SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_graph.cpp LIBS Qt6::Core)
  target_compile_definitions(tst_cli_graph PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_graph stagecraft)
endif()
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_check SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_check.cpp LIBS Qt6::Core)
  target_compile_definitions(tst_cli_check PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_check stagecraft)
  # check --write against a symlinked .dockerignore (a hostile context)
  stagecraft_add_test(tst_cli_checkwrite SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_checkwrite.cpp LIBS Qt6::Core)
  target_compile_definitions(tst_cli_checkwrite PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_checkwrite stagecraft)
endif()
# `check --format sarif|codequality` as code hosts read it: the SARIF log validated against the
# official 2.1.0 schema (vendored in tests/data/sarif) with python3-jsonschema; skipped (77)
# without that package.
# The interpreter is looked up on PATH when the test runs (whoever runs it: root, a user).
if(TARGET stagecraft)
  add_test(NAME tst_cli_check_reports
    COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check_reports.py $<TARGET_FILE:stagecraft>
            ${PROJECT_SOURCE_DIR}/tests/data/sarif/sarif-schema-2.1.0.json)
  set_tests_properties(tst_cli_check_reports PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
endif()
