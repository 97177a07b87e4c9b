# `stagecraft build` and `stagecraft run` as a user runs them, on Docker's busybox base
# (`build --engine docker` on a private dockerd when root can start one).
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_build SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_build.cpp LIBS Qt6::Core stagecraft_test_support TIMEOUT 300)
  target_compile_definitions(tst_cli_build PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_build stagecraft)
endif()
