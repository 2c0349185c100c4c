# miocpp is header-only and installs its own CMake package (share/miocpp) and pkg-config file
# (share/pkgconfig), so the port only configures with the tests, examples and benchmarks off,
# installs, and moves nothing: the package already lives where vcpkg wants it.

# REPO, REF and SHA512 name the upstream release this port packages. They are placeholders until
# the first tagged release exists: set REF to the tag and SHA512 to the hash vcpkg prints when it
# is run with `SHA512 0`. To package a local checkout instead, see "vcpkg" in the README
# (MIOCPP_SOURCE_PATH below).
if(DEFINED ENV{MIOCPP_SOURCE_PATH})
  # A local checkout, for trying the port before a release; vcpkg only lets the variable through
  # when it is listed in VCPKG_KEEP_ENV_VARS.
  file(TO_CMAKE_PATH "$ENV{MIOCPP_SOURCE_PATH}" SOURCE_PATH)
else()
  vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO miocpp/miocpp
    REF "v${VERSION}"
    SHA512 0
    HEAD_REF main)
endif()

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DMIOCPP_BUILD_TESTS=OFF
    -DMIOCPP_BUILD_EXAMPLES=OFF
    -DMIOCPP_BUILD_BENCH=OFF
    -DMIOCPP_BUILD_DOCS=OFF
    -DMIOCPP_INSTALL=ON)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH share/miocpp)
vcpkg_fixup_pkgconfig()

# Header-only: the debug tree holds nothing a release tree does not.
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug")

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
