# miocpp_fetch_declare(<name> URL <url> SHA256 <hash> RESULT <var>)
#
# Downloads a pinned release archive into the build tree, checks its SHA-256 and declares it to
# FetchContent from that local copy. Unlike a download done by FetchContent itself, an unreachable
# network is not fatal: <var> is set to FALSE and the caller decides what to do (the tests stop
# with a clear message, the benchmarks are skipped). A hash mismatch always stops the configure.
# A source directory given with FETCHCONTENT_SOURCE_DIR_<NAME> is honoured as usual.
# (No SYSTEM keyword here: CMake 3.25.1 forwards it to ExternalProject, which then rejects
# URL_HASH. Callers mark the fetched targets SYSTEM themselves.)
include_guard(GLOBAL)
include(FetchContent)

function(miocpp_fetch_declare name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "URL;SHA256;RESULT" "")
  string(TOUPPER "${name}" upper)
  string(TOLOWER "${arg_SHA256}" expected)

  if(FETCHCONTENT_SOURCE_DIR_${upper} OR FETCHCONTENT_FULLY_DISCONNECTED)
    FetchContent_Declare(${name} URL "${arg_URL}" URL_HASH SHA256=${expected}
                         DOWNLOAD_EXTRACT_TIMESTAMP TRUE)
    set(${arg_RESULT} TRUE PARENT_SCOPE)
    return()
  endif()

  get_filename_component(file_name "${arg_URL}" NAME)
  set(archive "${FETCHCONTENT_BASE_DIR}/archives/${name}-${file_name}")

  if(EXISTS "${archive}")
    file(SHA256 "${archive}" actual)
    if(NOT actual STREQUAL expected)
      file(REMOVE "${archive}")
    endif()
  endif()

  if(NOT EXISTS "${archive}")
    message(STATUS "miocpp: downloading ${arg_URL}")
    file(DOWNLOAD "${arg_URL}" "${archive}.part" STATUS status TIMEOUT 300 INACTIVITY_TIMEOUT 30
         TLS_VERIFY ON)
    list(GET status 0 code)
    if(NOT code EQUAL 0)
      list(GET status 1 reason)
      file(REMOVE "${archive}.part")
      message(STATUS "miocpp: could not download ${name} (${reason})")
      set(${arg_RESULT} FALSE PARENT_SCOPE)
      return()
    endif()
    file(SHA256 "${archive}.part" actual)
    if(NOT actual STREQUAL expected)
      file(REMOVE "${archive}.part")
      message(FATAL_ERROR "miocpp: ${arg_URL} has SHA-256 ${actual}, expected ${expected}")
    endif()
    file(RENAME "${archive}.part" "${archive}")
  endif()

  FetchContent_Declare(${name} URL "${archive}" URL_HASH SHA256=${expected}
                       DOWNLOAD_EXTRACT_TIMESTAMP TRUE)
  set(${arg_RESULT} TRUE PARENT_SCOPE)
endfunction()
