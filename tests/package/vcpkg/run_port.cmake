# Runs ports/miocpp/portfile.cmake without vcpkg, then checks what it installed.
#
#   cmake -DSOURCE_DIR=<miocpp checkout> -DWORK_DIR=<empty directory> -P run_port.cmake
#
# vcpkg cannot be downloaded where CI runs, so this script stands in for it: it defines the
# vcpkg helpers the portfile calls, each doing the part of the real helper that decides what
# ends up in the package (vcpkg_from_github hands back the local checkout instead of a
# download), includes the portfile itself, and then applies the post-build checks vcpkg applies
# to a header-only port. The package lands in <WORK_DIR>/packages/miocpp_x64-linux, the
# staging tree a find_package consumer is then built against.
#
# What this does not prove: that the real helpers accept these arguments in every vcpkg
# version, and the download (REPO/REF/SHA512 are placeholders until the first release).
cmake_minimum_required(VERSION 3.25)

foreach(required IN ITEMS SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "run_port.cmake: -D${required}=... is required")
  endif()
endforeach()
get_filename_component(SOURCE_DIR "${SOURCE_DIR}" ABSOLUTE)
get_filename_component(WORK_DIR "${WORK_DIR}" ABSOLUTE)
set(port_dir "${SOURCE_DIR}/ports/miocpp")

# ---- What vcpkg defines for a portfile ----------------------------------------------------------
set(PORT miocpp)
set(TARGET_TRIPLET x64-linux)
set(VCPKG_LIBRARY_LINKAGE static)
file(READ "${port_dir}/vcpkg.json" manifest)
string(JSON VERSION GET "${manifest}" version)
set(CURRENT_PACKAGES_DIR "${WORK_DIR}/packages/${PORT}_${TARGET_TRIPLET}")
set(CURRENT_BUILDTREES_DIR "${WORK_DIR}/buildtrees/${PORT}")
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}" "${CURRENT_BUILDTREES_DIR}")
file(MAKE_DIRECTORY "${CURRENT_PACKAGES_DIR}" "${CURRENT_BUILDTREES_DIR}")
# The portfile's local-checkout switch is for people; this run exercises the download branch.
unset(ENV{MIOCPP_SOURCE_PATH})

function(port_fail message)
  message(FATAL_ERROR "vcpkg port check: ${message}")
endfunction()

function(run_logged name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  file(WRITE "${CURRENT_BUILDTREES_DIR}/${name}.log" "${output}")
  if(NOT result EQUAL 0)
    message("${output}")
    port_fail("${name} failed (${result}); log in ${CURRENT_BUILDTREES_DIR}/${name}.log")
  endif()
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

# ---- The helpers ------------------------------------------------------------------------------
function(vcpkg_from_github)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUT_SOURCE_PATH;REPO;REF;SHA512;HEAD_REF" "PATCHES")
  foreach(argument IN ITEMS OUT_SOURCE_PATH REPO REF SHA512)
    if(NOT DEFINED arg_${argument})
      port_fail("vcpkg_from_github without ${argument}")
    endif()
  endforeach()
  if(arg_PATCHES)
    port_fail("the port should need no patches, it has ${arg_PATCHES}")
  endif()
  message(STATUS "vcpkg_from_github: ${arg_REPO}@${arg_REF} -> the local checkout ${SOURCE_DIR}")
  set(${arg_OUT_SOURCE_PATH} "${SOURCE_DIR}" PARENT_SCOPE)
endfunction()

set(configured_builds "")
function(vcpkg_cmake_configure)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE_PATH"
                        "OPTIONS;OPTIONS_RELEASE;OPTIONS_DEBUG;MAYBE_UNUSED_VARIABLES")
  # The arguments vcpkg_cmake_configure adds itself that matter without its toolchain.
  set(common
      -DCMAKE_EXPORT_NO_PACKAGE_REGISTRY=ON
      -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
      -DCMAKE_FIND_PACKAGE_NO_SYSTEM_PACKAGE_REGISTRY=ON
      -DCMAKE_INSTALL_SYSTEM_RUNTIME_LIBS_SKIP=TRUE
      -DCMAKE_ERROR_ON_ABSOLUTE_INSTALL_DESTINATION=ON
      -DCMAKE_DISABLE_SOURCE_CHANGES=ON
      -DCMAKE_INSTALL_LIBDIR:STRING=lib
      -DCMAKE_INSTALL_BINDIR:STRING=bin
      -DBUILD_SHARED_LIBS=OFF
      -DFETCHCONTENT_FULLY_DISCONNECTED=ON)
  # vcpkg makes sure every option the port passes is used by the project.
  set(port_variables "")
  foreach(option IN LISTS arg_OPTIONS arg_OPTIONS_RELEASE arg_OPTIONS_DEBUG)
    if(option MATCHES "^-D([^:=]*)[:=]")
      list(APPEND port_variables "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  if(arg_MAYBE_UNUSED_VARIABLES)
    list(REMOVE_ITEM port_variables ${arg_MAYBE_UNUSED_VARIABLES})
  endif()
  foreach(config IN ITEMS rel dbg)
    if(config STREQUAL "rel")
      set(build_type Release)
      set(prefix "${CURRENT_PACKAGES_DIR}")
      set(extra ${arg_OPTIONS_RELEASE})
    else()
      set(build_type Debug)
      set(prefix "${CURRENT_PACKAGES_DIR}/debug")
      set(extra ${arg_OPTIONS_DEBUG})
    endif()
    set(binary_dir "${CURRENT_BUILDTREES_DIR}/${TARGET_TRIPLET}-${config}")
    run_logged(config-${config} "${CMAKE_COMMAND}" -S "${arg_SOURCE_PATH}" -B "${binary_dir}"
               "-DCMAKE_BUILD_TYPE=${build_type}" "-DCMAKE_INSTALL_PREFIX=${prefix}" ${common}
               ${arg_OPTIONS} ${extra})
    string(FIND "${run_output}" "Manually-specified variables were not used" unused_at)
    if(NOT unused_at EQUAL -1)
      string(SUBSTRING "${run_output}" ${unused_at} -1 unused)
      foreach(variable IN LISTS port_variables)
        if(unused MATCHES "\n +${variable}\n")
          port_fail("the port passes ${variable}, which the project does not use")
        endif()
      endforeach()
    endif()
    list(APPEND configured_builds "${binary_dir}")
  endforeach()
  set(configured_builds "${configured_builds}" PARENT_SCOPE)
endfunction()

function(vcpkg_cmake_install)
  if(NOT configured_builds)
    port_fail("vcpkg_cmake_install before vcpkg_cmake_configure")
  endif()
  foreach(binary_dir IN LISTS configured_builds)
    get_filename_component(name "${binary_dir}" NAME)
    run_logged(install-${name} "${CMAKE_COMMAND}" --build "${binary_dir}" --target install)
  endforeach()
endfunction()

function(vcpkg_cmake_config_fixup)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "CONFIG_PATH;PACKAGE_NAME" "")
  if(NOT arg_PACKAGE_NAME)
    set(arg_PACKAGE_NAME "${PORT}")
  endif()
  if(NOT arg_CONFIG_PATH)
    set(arg_CONFIG_PATH "share/${arg_PACKAGE_NAME}")
  endif()
  set(release "${CURRENT_PACKAGES_DIR}/${arg_CONFIG_PATH}")
  file(GLOB configs "${release}/*Config.cmake" "${release}/*-config.cmake")
  if(NOT configs)
    port_fail("vcpkg_cmake_config_fixup: no package configuration in ${arg_CONFIG_PATH}")
  endif()
  # The real helper moves the files to share/<package>, merges the debug targets in and drops
  # the debug copy; a config that is already in place only loses its debug copy.
  set(target "${CURRENT_PACKAGES_DIR}/share/${arg_PACKAGE_NAME}")
  if(NOT release STREQUAL target)
    file(MAKE_DIRECTORY "${target}")
    file(GLOB files "${release}/*")
    file(COPY ${files} DESTINATION "${target}")
    file(REMOVE_RECURSE "${release}")
  endif()
  file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/${arg_CONFIG_PATH}")
endfunction()

function(vcpkg_fixup_pkgconfig)
  file(GLOB_RECURSE pc_files "${CURRENT_PACKAGES_DIR}/*.pc")
  foreach(pc IN LISTS pc_files)
    find_program(pkg_config pkg-config)
    if(pkg_config)
      run_logged(pkgconfig-validate "${pkg_config}" --validate "${pc}")
    endif()
  endforeach()
endfunction()

function(vcpkg_install_copyright)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "FILE_LIST")
  set(text "")
  foreach(file IN LISTS arg_FILE_LIST)
    if(NOT EXISTS "${file}")
      port_fail("vcpkg_install_copyright: ${file} does not exist")
    endif()
    file(READ "${file}" content)
    string(APPEND text "${content}")
  endforeach()
  file(WRITE "${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright" "${text}")
endfunction()

# ---- The port itself ----------------------------------------------------------------------------
include("${port_dir}/portfile.cmake")

# ---- vcpkg's post-build checks, as they apply to a header-only port ------------------------------
set(pkg "${CURRENT_PACKAGES_DIR}")
foreach(file IN ITEMS share/miocpp/miocppConfig.cmake share/miocpp/miocppConfigVersion.cmake
                      share/miocpp/miocppTargets.cmake share/miocpp/copyright share/miocpp/usage
                      share/pkgconfig/miocpp.pc include/miocpp/miocpp.hpp
                      include/miocpp/version.hpp)
  if(NOT EXISTS "${pkg}/${file}")
    port_fail("the package lacks ${file}")
  endif()
endforeach()
foreach(dir IN ITEMS debug lib bin tools)
  if(EXISTS "${pkg}/${dir}")
    port_fail("a header-only package has no ${dir}/, this one has")
  endif()
endforeach()
file(GLOB top_level RELATIVE "${pkg}" "${pkg}/*")
list(REMOVE_ITEM top_level include share)
if(top_level)
  port_fail("unexpected top-level entries: ${top_level}")
endif()
# CMake files anywhere but share/<port> are misplaced; pkg-config files of a package without
# libraries belong in share/pkgconfig.
file(GLOB_RECURSE cmake_files RELATIVE "${pkg}" "${pkg}/*.cmake")
foreach(file IN LISTS cmake_files)
  if(NOT file MATCHES "^share/miocpp/[^/]+$")
    port_fail("misplaced CMake file ${file}")
  endif()
endforeach()
file(GLOB_RECURSE pc_files RELATIVE "${pkg}" "${pkg}/*.pc")
foreach(file IN LISTS pc_files)
  if(NOT file MATCHES "^share/pkgconfig/")
    port_fail("misplaced pkg-config file ${file}")
  endif()
endforeach()
# Installed files must not name the directory they were built in: vcpkg moves packages.
string(REGEX REPLACE "([][+.*()^$?|\\])" "\\\\\\1" packages_pattern "${CURRENT_PACKAGES_DIR}")
string(REGEX REPLACE "([][+.*()^$?|\\])" "\\\\\\1" buildtrees_pattern "${CURRENT_BUILDTREES_DIR}")
file(GLOB_RECURSE all_files "${pkg}/*")
foreach(file IN LISTS all_files)
  file(STRINGS "${file}" hits REGEX "${packages_pattern}|${buildtrees_pattern}")
  if(hits)
    port_fail("${file} contains an absolute build path: ${hits}")
  endif()
endforeach()
# The package config and the manifest agree on the version.
file(STRINGS "${pkg}/share/miocpp/miocppConfigVersion.cmake" version_line
     REGEX "set\\(PACKAGE_VERSION \"")
if(NOT version_line MATCHES "\"${VERSION}\"")
  port_fail("miocppConfigVersion.cmake says ${version_line}, vcpkg.json ${VERSION}")
endif()

message(STATUS "vcpkg port check: ${PORT} ${VERSION} staged in ${pkg}")
