"""Waking one poller from several threads: wakes per second and system calls per wake.

Three ways, in interleaved rounds: miocpp's Waker (no system call while a wake is pending), the
same epoll and eventfd written on every wake (what mio's Waker does), and libuv's uv_async_send.
System calls are counted for the whole process (wakers and poller) in a separate run, under perf
or strace (syscalls.tool)."""

import json
import os
import statistics
import subprocess
import tempfile

from . import markdown
from . import priority
from . import syscalls

MODES = ["miocpp", "eventfd", "libuv"]
THREADS = 4
TWIN = "eventfd"
LABELS = {
    "miocpp": "miocpp `Waker::wake`",
    "eventfd": "eventfd `write` on every wake",
    "libuv": "libuv `uv_async_send`",
}


def run_once(binary, mode, duration, wrapper=()):
    """The program's JSON result, or None when this mode is not built."""
    completed = subprocess.run([*wrapper, binary, mode, "--threads", str(THREADS), "--duration",
                                str(duration)], capture_output=True, text=True, check=False,
                               preexec_fn=priority.pinned(None))
    if completed.returncode == 3:
        return None
    completed.check_returncode()
    return json.loads(completed.stdout.strip().splitlines()[-1])


def count_calls(binary, mode, duration, which, scratch):
    """(wakes, {system call: calls}) for one run under perf or strace."""
    output = os.path.join(scratch, mode)
    if which == "perf":
        wrapper = ["perf", "stat", "-x,", "-o", output, "-e", syscalls.TOTAL, "--"]
        result = run_once(binary, mode, duration, wrapper)
        return result, syscalls.parse_perf(output) if result else {}
    result = run_once(binary, mode, duration, ["strace", "-c", "-f", "-o", output])
    calls = syscalls.parse_strace(output) if result else {}
    calls["total"] = sum(count for name, count in calls.items() if name != "total")
    return result, calls


def measure(binary, rounds, duration, progress):
    """{mode: {"rates": [wakes/s per round], "events": [...], "calls": calls per wake or None}}."""
    results = {}
    for round_number in range(1, rounds + 1):
        for mode in MODES:
            result = run_once(binary, mode, duration)
            if result is None:
                continue
            entry = results.setdefault(mode, {"rates": [], "per_event": [], "calls": None})
            entry["rates"].append(result["wakes"] / result["seconds"])
            entry["per_event"].append(result["wakes"] / max(result["events"], 1))
            progress(f"round {round_number}/{rounds} wake {mode}: "
                     f"{entry['rates'][-1]:,.0f} wakes/s")
    which = syscalls.tool()
    if which:
        with tempfile.TemporaryDirectory() as scratch:
            for mode in results:
                result, calls = count_calls(binary, mode, duration, which, scratch)
                results[mode]["calls"] = calls.get("total", 0) / max(result["wakes"], 1)
                results[mode]["tool"] = which
                progress(f"{which} wake {mode}: {result['wakes']:,} wakes, "
                         f"{calls.get('total', 0):,} system calls")
    return results


def report(results, rounds):
    rows = []
    twin = statistics.median(results[TWIN]["rates"]) if TWIN in results else None
    for mode in MODES:
        if mode not in results:
            continue
        entry = results[mode]
        rate = statistics.median(entry["rates"])
        calls = entry["calls"]
        rows.append([LABELS[mode], markdown.count(rate),
                     markdown.ratio(rate / twin) if twin else "-",
                     "-" if calls is None else f"{calls:.4f}",
                     f"{statistics.median(entry['per_event']):,.0f}"])
    lines = markdown.table(["wake", "wakes/s", f"× {TWIN}", "system calls per wake",
                            "wakes per event"], rows)
    tool = next((entry.get("tool") for entry in results.values() if entry.get("tool")), None)
    lines += ["", f"{THREADS} threads waking one poller as fast as they can; medians of {rounds} "
                  f"rounds; × {TWIN} = wakes/s against the eventfd written on every wake. System "
                  "calls: every call the process made (wakers and poller), divided by the wakes"
                  + (f", counted with {tool}." if tool else " (not counted: neither perf nor "
                                                            "strace works here).")]
    mine = results.get("miocpp")
    if mine and mine["calls"] is not None:
        lines += ["", f"Reading: a wake while one is pending costs miocpp no system call, so "
                      f"{mine['calls']:.4f} per wake; each wake that does make one is a new edge, "
                      "and the poller sees one event per poll at most."]
    return lines
