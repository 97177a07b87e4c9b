# The Bytes view: treemap model totals, drilling, sorting, grouping by package, the canvas.
stagecraft_add_test(tst_treemapview
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_treemapview.cpp
  LIBS stagecraft_ui Qt6::Widgets LibArchive::LibArchive
  LABELS ui
  GUI)
target_include_directories(tst_treemapview PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../core)
