# The Files view (its model too) and drag-to-copy, on the reference images of tests/data/images.
stagecraft_add_test(tst_filesview
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_filesview.cpp
  LIBS stagecraft_ui Qt6::Widgets
  LABELS ui
  GUI)
stagecraft_add_test(tst_copydrop
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_copydrop.cpp
  LIBS stagecraft_ui Qt6::Widgets
  LABELS ui
  GUI)
