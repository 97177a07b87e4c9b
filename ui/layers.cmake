# The Layers view: stacked bars per image, comparisons, the file changes between two images.
target_sources(stagecraft_ui PRIVATE
  layersview.cpp
  layerschart.cpp
  imagediffmodel.cpp
  imagediffview.cpp
  pullsize.cpp
)
# layerschart.h derives from QChartView, so whoever includes it needs the Charts headers.
target_link_libraries(stagecraft_ui PUBLIC Qt6::Charts)
