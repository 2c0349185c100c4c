"""The loopback echo benchmark: every server under the same load, in interleaved rounds."""

import json
import os
import statistics
import subprocess

from . import markdown
from . import priority
from . import servers

SERVER_CPU, LOAD_CPU = 0, 1
TARGET = 0.98  # miocpp at least 0.98× hand-written epoll running the same loop
CPU_TARGET = 1.03  # and at most 1.03× its server CPU time per message


class Scenario:
    def __init__(self, name, connections, depth, size, reading):
        self.name, self.connections, self.depth, self.size = name, connections, depth, size
        self.reading = reading  # what the scenario shows

    def title(self):
        size = f"{self.size // 1024} KiB" if self.size >= 1024 else f"{self.size} B"
        return f"C={self.connections:,} D={self.depth} S={size} ({self.name})"


SCENARIOS = [
    Scenario("latency", 1, 1, 64, "one connection, one message at a time: the round trip"),
    Scenario("100 connections", 100, 1, 64, "many small request-response exchanges"),
    Scenario("1,000 connections", 1000, 1, 64, "as many connections as a busy server has"),
    Scenario("throughput", 10, 4, 64 * 1024, "few connections moving bulk data"),
]


def cpus():
    """(server CPU, load CPU) -- or no pinning at all on a single CPU."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    return available[0], available[1]


def run_load(echo_dir, port, scenario, warmup, duration, cpu):
    """One load run against `port`: the load generator's JSON result."""
    output = subprocess.run(
        [os.path.join(echo_dir, "echo_load"), "--port", str(port),
         "--connections", str(scenario.connections), "--depth", str(scenario.depth),
         "--size", str(scenario.size), "--warmup", str(warmup), "--duration", str(duration)],
        check=True, capture_output=True, text=True, preexec_fn=priority.pinned(cpu)).stdout
    return json.loads(output)


def cpu_seconds(pid):
    """User + system CPU time the process `pid` has used so far (from /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # after the command, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def measure(echo_dir, rounds, warmup, duration, progress):
    """{(scenario name, library): [result of each round]} and {library: version}.

    Rounds are interleaved (A B C ... A B C ...), so that slow drifts of the machine fall on
    every library alike."""
    server_cpu, load_cpu = cpus()
    libraries = servers.present(echo_dir)
    results, versions = {}, {}
    for round_number in range(1, rounds + 1):
        for scenario in SCENARIOS:
            for library in libraries:
                with servers.Server(echo_dir, library, server_cpu) as server:
                    versions[library] = server.version
                    before = cpu_seconds(server.process.pid)
                    result = run_load(echo_dir, server.port, scenario, warmup, duration, load_cpu)
                    # The server's CPU time over the whole load (connecting included), per
                    # message echoed in it.
                    result["cpu_us"] = ((cpu_seconds(server.process.pid) - before) * 1e6 /
                                        max(result["total_messages"], 1))
                results.setdefault((scenario.name, library), []).append(result)
                progress(f"round {round_number}/{rounds} {scenario.title()} {library}: "
                         f"{result['messages_per_second']:,.0f} msg/s, "
                         f"p50 {result['p50_us']:.1f} µs, p99 {result['p99_us']:.1f} µs")
    return results, versions


def ratios(results, scenario, library, key="messages_per_second"):
    """The per-round ratios of `library` to the floor, same round against same round."""
    mine = results[(scenario.name, library)]
    floor = results[(scenario.name, servers.FLOOR)]
    return [a[key] / max(b[key], 1e-9) for a, b in zip(mine, floor)]


def report(results, versions, rounds):
    lines = []
    verdicts = []
    for scenario in SCENARIOS:
        libraries = [lib for lib in servers.LIBRARIES if (scenario.name, lib) in results]
        rows, ratio_of, cpu_of, spread_of = [], {}, {}, {}
        for library in libraries:
            runs = results[(scenario.name, library)]
            per_round = ratios(results, scenario, library)
            ratio_of[library] = statistics.median(per_round)
            spread_of[library] = (min(per_round), max(per_round))
            cpu_of[library] = statistics.median(ratios(results, scenario, library, "cpu_us"))
            rows.append([f"{library} {versions.get(library, '')}".strip(),
                         markdown.count(statistics.median(r["messages_per_second"] for r in runs)),
                         markdown.ratio(ratio_of[library]),
                         f"{spread_of[library][0]:.2f}–{spread_of[library][1]:.2f}",
                         f"{statistics.median(r['cpu_us'] for r in runs):.2f}",
                         markdown.ratio(cpu_of[library]),
                         f"{statistics.median(r['p50_us'] for r in runs):.1f}",
                         f"{statistics.median(r['p99_us'] for r in runs):.1f}"])
        lines += [f"#### {scenario.title()}", ""]
        lines += markdown.table(["server", "messages/s", f"× {servers.FLOOR}", "rounds",
                                 "CPU µs/message",
                                 f"CPU × {servers.FLOOR}", "p50 µs", "p99 µs"], rows)
        lines += ["", reading(scenario, ratio_of, cpu_of), ""]
        verdicts.append(verdict(scenario, ratio_of, cpu_of, spread_of))
    lines += [f"Medians of {rounds} rounds; × {servers.FLOOR} is the median of each round's ratio "
              "to the hand-written epoll server of the same round that stops at a short read, as "
              "miocpp's does (epoll reads until EAGAIN); rounds: the lowest and highest of those "
              "ratios, how far the machine moves one server from round to round. "
              "CPU µs/message: the server's user and system time over the whole load "
              "(connecting included, from /proc, in clock ticks), "
              "per message echoed. Targets: miocpp at least "
              f"{TARGET}× {servers.FLOOR}'s messages/s and at most {CPU_TARGET}× its CPU per "
              "message, and at or above every peer's messages/s. " + " ".join(verdicts)]
    return lines


def reading(scenario, ratio_of, cpu_of):
    mine = ratio_of.get("miocpp")
    peers = {lib: r for lib, r in ratio_of.items()
             if lib != "miocpp" and lib not in servers.REFERENCES}
    text = f"Reading: {scenario.reading}; miocpp runs at {mine:.3f}× hand-written epoll"
    if peers:
        best = max(peers, key=peers.get)
        text += f", the fastest peer ({best}) at {peers[best]:.3f}×"
    if "miocpp" in cpu_of:
        text += f"; miocpp's server uses {cpu_of['miocpp']:.3f}× the CPU per message"
    return text + "."


def verdict(scenario, ratio_of, cpu_of, spread_of):
    mine = ratio_of.get("miocpp", 0)
    low, high = spread_of.get("miocpp", (mine, mine))
    cpu = cpu_of.get("miocpp", 0)
    # Compared as printed (three decimals): a tie in the table is not a loss.
    beaten_by = [lib for lib, r in ratio_of.items()
                 if lib != "miocpp" and lib not in servers.REFERENCES
                 and round(r, 3) > round(mine, 3)]
    if mine >= TARGET and cpu <= CPU_TARGET and not beaten_by:
        return f"{scenario.name}: target met."
    parts = []
    if mine < TARGET:
        parts.append(f"miocpp below {TARGET}× {servers.FLOOR}")
    if cpu > CPU_TARGET:
        parts.append(f"miocpp's CPU per message above {CPU_TARGET}× {servers.FLOOR}")
    if beaten_by:
        # A gap smaller than miocpp's own spread over the rounds is not told apart from noise;
        # say which it is rather than hide either.
        gaps = [f"{lib} by {ratio_of[lib] - mine:.3f}" for lib in beaten_by]
        inside = all(ratio_of[lib] - mine < high - low for lib in beaten_by)
        parts.append(f"behind {', '.join(gaps)}" +
                     (f", less than miocpp's own {low:.2f}–{high:.2f} spread over the rounds"
                      if inside else ""))
    return f"{scenario.name}: **target missed** ({'; '.join(parts)})."
