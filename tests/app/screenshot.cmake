# `stagecraft --screenshot FILE.png --compare A B`: the Layers view rendered offscreen.
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_screenshot SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_screenshot.cpp
    LIBS Qt6::Gui LABELS ui TIMEOUT 120)
  target_compile_definitions(tst_cli_screenshot PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_screenshot stagecraft)
endif()
