# core/engine: BuildKit's plain progress read into build events (captured engine output
# in tests/data/engine).
stagecraft_add_test(tst_plainprogress SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_plainprogress.cpp
  LIBS stagecraft_engine stagecraft_progress)
