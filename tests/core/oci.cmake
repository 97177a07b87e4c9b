# Tests of core/oci: digests, documents, layer reading/writing/extraction, OCI layouts
# and docker-archives, checked against the Docker-built images in tests/data/images.
foreach(test tst_digest tst_ocidocuments tst_layerreader tst_layerextractor tst_layerwriter tst_ocilayout tst_dockerarchive)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/${test}.cpp)
    stagecraft_add_test(${test} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${test}.cpp LIBS stagecraft_oci LibArchive::LibArchive)
  endif()
endforeach()
