# The Layers view: stacked bars per image, comparisons.
target_sources(stagecraft_ui PRIVATE
  layersview.cpp
)
