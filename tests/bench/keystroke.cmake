# The keystroke → graph benchmark: types into the window's editor and prints how long each
# keystroke takes to reach the stage graph's scene. Run by hand (it prints figures, never
# fails on time), so it is not registered with ctest. Needs the window (STAGECRAFT_BUILD_UI).
if(TARGET stagecraft_ui)
  add_executable(bench_keystroke ${CMAKE_CURRENT_LIST_DIR}/bench_keystroke.cpp)
  target_link_libraries(bench_keystroke PRIVATE stagecraft_ui stagecraft_options Qt6::Test)
  target_compile_definitions(bench_keystroke PRIVATE STAGECRAFT_SOURCE_PATH="${PROJECT_SOURCE_DIR}")
endif()
