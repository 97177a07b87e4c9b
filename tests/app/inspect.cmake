# `stagecraft inspect` run as a user runs it: JSON and text output on the Docker-built
# reference images, and the exit status of its --ci rules.
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_inspect SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_inspect.cpp LIBS Qt6::Core stagecraft_common LibArchive::LibArchive TIMEOUT 300)
  target_compile_definitions(tst_cli_inspect PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_inspect stagecraft)
endif()
# `stagecraft why IMAGE PATH`: a path's layers, and its chain through stages with a build record.
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_why SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_why.cpp LIBS Qt6::Core TIMEOUT 300)
  target_compile_definitions(tst_cli_why PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_why stagecraft)
endif()
