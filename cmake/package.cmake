# closewise as a library: `cmake --install` puts, beside the program,
#   include/closewise/<module>/*.h             the public headers, laid out as in the source tree,
#                                               so their own #include "server/handler.h" lines
#                                               resolve unchanged against include/closewise
#   lib/libclosewise_<module>.a                 the modules, and llhttp as libclosewise_llhttp.a
#   lib/cmake/closewise/                        the CMake package: find_package(closewise)
# so that a service owns its main() and its CMake project, links closewise::app (or
# closewise::server, to wire things itself) and never edits closewise's files
# (examples/items-service is one). These files are the `development` install component; the
# program, units and sysctl file are `runtime`, the only component the Debian package carries.

# Bottom-up, as they link; the exported target closewise::<module> is closewise_<module>. A new
# module folder is added here, or the package lacks its library and headers (and
# tests/examples/items_service.sh fails on the first missing header a public one includes).
set(CLOSEWISE_MODULES settings kernel lifecycle protocol upstream server admin app)

include(CMakePackageConfigHelpers)
set(CLOSEWISE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/closewise)

# Debian ships llhttp as sources only, so the package carries the archive built from them. Its
# own name keeps it from shadowing a distribution's libllhttp in the same lib/ directory.
set_target_properties(llhttp PROPERTIES EXPORT_NAME llhttp OUTPUT_NAME closewise_llhttp)
set(CLOSEWISE_EXPORTED llhttp)

foreach(module IN LISTS CLOSEWISE_MODULES)
  set(target closewise_${module})
  list(APPEND CLOSEWISE_EXPORTED ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${module})
  # Each module names the source root as its include directory (module/CMakeLists.txt). That
  # holds inside this build only; the installed package names include/closewise instead (the
  # INCLUDES DESTINATION below), so the source root is kept for the build interface alone.
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  set(interface_dirs)
  foreach(dir IN LISTS dirs)
    if(dir STREQUAL PROJECT_SOURCE_DIR)
      set(dir "$<BUILD_INTERFACE:${dir}>")
    endif()
    list(APPEND interface_dirs "${dir}")
  endforeach()
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${interface_dirs}")
  # A sanitized archive calls into the sanitizers' runtime, which only the final link brings in.
  if(CLOSEWISE_SANITIZE)
    target_link_options(${target} INTERFACE -fsanitize=address,undefined)
  endif()
  # The folder's own headers, not its subfolders' (admin/dashboard/ holds the page's sources).
  file(GLOB headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${module}/*.h)
  install(FILES ${headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/closewise/${module}
          COMPONENT development)
endforeach()

install(TARGETS ${CLOSEWISE_EXPORTED} EXPORT closewiseTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/closewise)
install(EXPORT closewiseTargets NAMESPACE closewise:: DESTINATION ${CLOSEWISE_CMAKE_DIR}
        COMPONENT development)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/closewiseConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/closewiseConfig.cmake INSTALL_DESTINATION ${CLOSEWISE_CMAKE_DIR})
# 0.x: a minor version may change the API, so only the same minor version is compatible.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/closewiseConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/closewiseConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/closewiseConfigVersion.cmake
        DESTINATION ${CLOSEWISE_CMAKE_DIR} COMPONENT development)
