// The version of miocpp, for the preprocessor.
//
// Checked in rather than generated at configure time: the library is also used with nothing but
// `-I include`, where no configure step runs, so this header must exist as it is. The single
// source of truth is `project(VERSION)` in CMakeLists.txt; configuring fails when these numbers
// differ from it or from the vcpkg port's manifest (ports/miocpp/vcpkg.json), and
// tests/version.cpp checks the same, so a release bumps all three or nothing builds.
#pragma once

/// \file
/// The version of the miocpp headers in use, as integer macros usable in `#if`.
///
/// The same numbers are in the CMake package (`find_package(miocpp 0.1 CONFIG)` accepts any
/// installed 0.x.y at or above 0.1: SameMajorVersion), in the pkg-config file (`pkg-config
/// --modversion miocpp`) and in the vcpkg port.

/// The major version: changes when the API breaks.
#define MIOCPP_VERSION_MAJOR 0
/// The minor version: changes when the API grows.
#define MIOCPP_VERSION_MINOR 1
/// The patch version: changes for fixes that leave the API alone.
#define MIOCPP_VERSION_PATCH 0

/// The whole version as one number, `major * 10000 + minor * 100 + patch` (0.1.0 is 100), for
/// comparisons such as `#if MIOCPP_VERSION >= 100`.
#define MIOCPP_VERSION \
  (MIOCPP_VERSION_MAJOR * 10000 + MIOCPP_VERSION_MINOR * 100 + MIOCPP_VERSION_PATCH)
