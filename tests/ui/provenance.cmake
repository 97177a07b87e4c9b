# Files → Where Did This Come From?: the chain on the editor and the graph, on images built
# offline on the busybox fixture.
stagecraft_add_test(tst_provenance
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_provenance.cpp
  LIBS stagecraft_ui Qt6::Widgets
  GUI LABELS ui TIMEOUT 240)
