# Files → Where Did This Come From?: the chain through COPY --from, in a dock, on the editor
# and on the graph.
target_sources(stagecraft_ui PRIVATE
  provenancecolor.cpp
  provenancepanel.cpp
)
