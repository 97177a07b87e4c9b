# The Layers view on the Docker-built reference images.
stagecraft_add_test(tst_layersview
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_layersview.cpp
  LIBS stagecraft_ui
  GUI LABELS ui TIMEOUT 120)
# The chart alone: its segments' colours.
stagecraft_add_test(tst_layerschart
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_layerschart.cpp
  LIBS stagecraft_ui Qt6::Charts
  GUI LABELS ui)
# The compare view's file changes and the pull size in its headline.
stagecraft_add_test(tst_imagediffview
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_imagediffview.cpp
  LIBS stagecraft_ui Qt6::Charts
  GUI LABELS ui TIMEOUT 120)
