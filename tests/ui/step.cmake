# Stepping through a build: a step's layer in the Files view and the Step dock's summary.
stagecraft_add_test(tst_stepthrough
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_stepthrough.cpp
  LIBS stagecraft_ui Qt6::Widgets
  LABELS ui
  GUI TIMEOUT 180)
