"""Runs a Google Benchmark program and returns the median CPU time (and counters) of each case."""

import json
import subprocess
import sys

from . import priority


def run(binary, repetitions, min_time, interleave=True):
    """{name: {"ns": median CPU time per iteration, "allocs": allocations per iteration or None}}.

    With `interleave`, repetitions run in random order (--benchmark_enable_random_interleaving),
    so that a miocpp case and its raw twin see the same moments of a machine's noise."""
    args = [binary, "--benchmark_format=json", f"--benchmark_min_time={min_time}"]
    if repetitions > 1:
        args += [f"--benchmark_repetitions={repetitions}",
                 "--benchmark_report_aggregates_only=true"]
        if interleave:
            args.append("--benchmark_enable_random_interleaving=true")
    output = subprocess.run(args, check=True, capture_output=True, text=True,
                            preexec_fn=priority.pinned(0)).stdout
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    results = {}
    for case in json.loads(output)["benchmarks"]:
        if case.get("error_occurred"):
            # A case the machine or backend cannot run (e.g. 100,000 descriptors): left out.
            print(f"bench/run: {case['name']} skipped: {case.get('error_message')}",
                  file=sys.stderr)
            continue
        if repetitions > 1 and case.get("aggregate_name") != "median":
            continue
        name = case.get("run_name", case["name"])
        results[name] = {"ns": case["cpu_time"] * scale[case["time_unit"]],
                         "allocs": case.get("allocs")}
    return results


def twins(results):
    """(miocpp case, raw case, name without the prefix) for each pair present."""
    for name in results:
        if name.startswith("miocpp_"):
            raw = "raw_" + name[len("miocpp_"):]
            if raw in results:
                yield results[name], results[raw], name[len("miocpp_"):]
