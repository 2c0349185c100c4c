"""What the figures were taken on: machine, date, command, build. They mean nothing without it."""

import datetime
import os
import platform
import shlex
import subprocess
import sys

from . import build


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def distribution():
    try:
        with open("/etc/os-release", encoding="utf-8") as release:
            for line in release:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def compiler(build_dir):
    path = build.cache_value(build_dir, "CMAKE_CXX_COMPILER")
    if not path:
        return "unknown compiler"
    try:
        first = subprocess.run([path, "--version"], capture_output=True, text=True,
                               check=False).stdout.splitlines()
        return first[0] if first else path
    except OSError:
        return path


def load_average():
    return os.getloadavg()[0]


def describe(build_dir, load_at_start):
    """Markdown lines: machine, date, command, build, and the load when the run began."""
    build_type = build.cache_value(build_dir, "CMAKE_BUILD_TYPE") or "default"
    return [
        f"- machine: {cpu_model()}, {os.cpu_count()} CPUs, {distribution()}, "
        f"Linux {platform.release()}",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- command: `{shlex.join(['bench/run', *sys.argv[1:]])}`",
        f"- build: {compiler(build_dir)}, CMAKE_BUILD_TYPE={build_type}",
        f"- load average (1 min) when it began: {load_at_start:.2f}",
    ]
