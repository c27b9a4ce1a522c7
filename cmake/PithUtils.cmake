#===- cmake/PithUtils.cmake - Helpers for pith's CMake files --------------===#

# pith_add_library(<name> <sources>... [DEPENDS <targets>...] [LINK <libs>...])
#
# A static library of pith's compiler side. It links the shared libMLIR and
# libLLVM (never their static archives, which would register options twice)
# and waits for the tablegen targets named in DEPENDS.
function(pith_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PUBLIC ${ARG_LINK} MLIR LLVM)
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_precompile_headers(${name} REUSE_FROM pith-pch)
endfunction()

# pith_add_tool(<name> <sources>... [LINK <libs>...])
#
# A command-line tool in bin/. Tools are thin mains (and position-
# independent executables), so they do without the shared precompiled header.
function(pith_add_tool name)
  cmake_parse_arguments(ARG "" "" "LINK" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LINK} MLIR LLVM)
endfunction()
