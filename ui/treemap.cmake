# The Bytes view: an image's bytes as a treemap and a sortable list, by directory or package.
target_sources(stagecraft_ui PRIVATE
  treemaplayout.cpp
  treemapmodel.cpp
  treemapcanvas.cpp
  treemapview.cpp
)
