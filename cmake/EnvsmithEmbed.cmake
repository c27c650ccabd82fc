# envsmith_embed(<target> NAMESPACE <ns> FUNCTION <fn> BASE_DIR <dir> FILES <files...>)
# Compiles data files into <target> as a table of (relative name, bytes), so the binary
# carries its catalogues and translations and needs no data directory at run time. The table
# is regenerated whenever one of the files changes.
function(envsmith_embed target)
  cmake_parse_arguments(ARG "" "NAMESPACE;FUNCTION;BASE_DIR" "FILES" ${ARGN})
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${ARG_FUNCTION}_embedded.cpp)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${output} -DNAMESPACE=${ARG_NAMESPACE}
            -DFUNCTION=${ARG_FUNCTION} -DBASE_DIR=${ARG_BASE_DIR} "-DFILES=${ARG_FILES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${ARG_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    COMMENT "Embedding ${ARG_FUNCTION} data"
    VERBATIM)
  target_sources(${target} PRIVATE ${output})
endfunction()
