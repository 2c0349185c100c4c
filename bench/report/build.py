"""Configures (once) and builds the benchmark targets, optimised."""

import os
import subprocess

MICRO_TARGETS = ["bench_micro", "bench_scale"]
WAKE_TARGETS = ["bench_wake"]
TIMERS_TARGETS = ["bench_timers"]
ECHO_TARGETS = ["echo_load", "echo_epoll-short", "echo_epoll", "echo_miocpp", "echo_libuv", "echo_libevent",
                "echo_libev", "echo_asio"]


def configure(root, build_dir):
    """A Release build with only the benchmarks, unless `build_dir` is configured already; then
    it is configured again, so that targets added since (which build() looks up) exist."""
    if os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", root, "-B", build_dir], check=True,
                       stdout=subprocess.DEVNULL)
        return
    subprocess.run(["cmake", "-S", root, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                    "-DMIOCPP_BUILD_TESTS=OFF", "-DMIOCPP_BUILD_EXAMPLES=OFF",
                    "-DMIOCPP_BUILD_DOCS=OFF", "-DMIOCPP_BUILD_BENCH=ON"], check=True)


def build(build_dir, targets):
    """Builds those of `targets` that this configuration has (a peer may be missing)."""
    known = subprocess.run(["cmake", "--build", build_dir, "--target", "help"], check=True,
                           capture_output=True, text=True).stdout
    present = [t for t in targets if f"... {t}" in known]
    if present:
        subprocess.run(["cmake", "--build", build_dir, "-j", str(os.cpu_count() or 2),
                        "--target", *present], check=True)


def cache_value(build_dir, name):
    """A variable of the build's CMakeCache.txt, or '' when absent."""
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8") as cache:
            for line in cache:
                key, _, value = line.partition("=")
                if key.split(":")[0] == name:
                    return value.strip()
    except OSError:
        pass
    return ""
