# Makes the targets benchmark::benchmark and benchmark::benchmark_main available, from an
# installed Google Benchmark package (Debian's libbenchmark-dev) or else a pinned release fetched
# with FetchContent. Sets MIOCPP_HAVE_BENCHMARK to TRUE or FALSE; never fails the configure.
include_guard(GLOBAL)

set(_miocpp_benchmark_url "https://github.com/google/benchmark/archive/refs/tags/v1.8.3.tar.gz")
set(_miocpp_benchmark_sha256 "6bc180a57d23d4d9515519f92b0c83d61b05b5bab188961f36ac7b06b0d9e9ce")

set(MIOCPP_HAVE_BENCHMARK FALSE)

find_package(benchmark CONFIG QUIET)
if(benchmark_FOUND)
  message(STATUS "miocpp: Google Benchmark ${benchmark_VERSION} (installed package)")
  set(MIOCPP_HAVE_BENCHMARK TRUE)
else()
  include("${CMAKE_CURRENT_LIST_DIR}/miocppFetchArchive.cmake")
  miocpp_fetch_declare(benchmark URL "${_miocpp_benchmark_url}" SHA256 "${_miocpp_benchmark_sha256}"
                       RESULT _miocpp_benchmark_fetched)
  if(_miocpp_benchmark_fetched)
    message(STATUS "miocpp: Google Benchmark from FetchContent")
    set(CMAKE_POLICY_DEFAULT_CMP0077 NEW)
    set(BENCHMARK_ENABLE_TESTING OFF)
    set(BENCHMARK_ENABLE_GTEST_TESTS OFF)
    set(BENCHMARK_ENABLE_INSTALL OFF)
    set(BENCHMARK_INSTALL_DOCS OFF)
    set(BENCHMARK_ENABLE_WERROR OFF)
    FetchContent_MakeAvailable(benchmark)
    # Their headers are someone else's: keep our warning flags off them.
    set_target_properties(benchmark benchmark_main PROPERTIES SYSTEM TRUE)
    set(MIOCPP_HAVE_BENCHMARK TRUE)
  endif()
endif()
