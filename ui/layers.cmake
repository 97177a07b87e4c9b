# The Layers view: stacked bars per image, comparisons.
target_sources(stagecraft_ui PRIVATE
  layersview.cpp
  layerschart.cpp
)
# layerschart.h derives from QChartView, so whoever includes it needs the Charts headers.
target_link_libraries(stagecraft_ui PUBLIC Qt6::Charts)
