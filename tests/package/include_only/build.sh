#!/usr/bin/env bash
# Uses miocpp with nothing but its include directory: no CMake, no install, no pkg-config.
# Compiles tests/package/main.cpp with strict warnings as errors and runs it.
#
# Usage: tests/package/include_only/build.sh OUTPUT_DIR [COMPILER]   (default compiler: c++)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="$1"
cxx="${2:-c++}"
mkdir -p "$out"

set -x
"$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror \
  -I "$root/include" "$here/../main.cpp" -o "$out/consumer" -pthread
"$out/consumer"
