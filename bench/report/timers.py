"""Timers: miocpp's timing wheel beside libuv's and Asio's binary heaps, in one program.

bench_timers measures three scenarios with 1k, 100k and 1M live timers, the libraries taking turns
in each round; this module runs it, takes each figure's median over the rounds (a ratio is the
median of each round's ratio) and prints the table."""

import json
import statistics
import subprocess

from . import markdown
from . import priority

SCENARIOS = ["start+cancel", "start+expire", "reset"]
PEERS = ["libuv", "asio"]
TARGET = 3.0  # miocpp at least 3x libuv's operations per second ...
TARGET_SIZES = [100_000, 1_000_000]  # ... with this many live timers
LABELS = {
    "start+cancel": "start + cancel",
    "start+expire": "start + expire",
    "reset": "reset",
}


def measure(binary, rounds, duration, progress):
    """bench_timers' records ({"scenario", "size", "library", "round", "operations", "seconds",
    "allocations"}); its progress lines go to stderr as they come."""
    progress(f"timers: {rounds} round(s) of {duration:.3f} s per scenario, library and size")
    completed = subprocess.run([binary, "--rounds", str(rounds), "--duration", str(duration)],
                               stdout=subprocess.PIPE, text=True, check=True,
                               preexec_fn=priority.pinned(0))
    return [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]


def rate(record):
    return record["operations"] / record["seconds"] if record["seconds"] > 0 else 0.0


def report(records, rounds):
    by_key = {}
    for record in records:
        key = (record["scenario"], record["size"], record["library"])
        by_key.setdefault(key, {})[record["round"]] = record
    sizes = sorted({record["size"] for record in records})
    peers = [peer for peer in PEERS if any(key[2] == peer for key in by_key)]
    header = ["scenario", "live timers", "miocpp ops/s", *[f"{peer} ops/s" for peer in peers],
              *[f"miocpp / {peer}" for peer in peers], "miocpp allocs/op"]
    rows, missed = [], []
    for scenario in SCENARIOS:
        for size in sizes:
            mine = by_key.get((scenario, size, "miocpp"))
            if not mine:
                continue
            row = [LABELS[scenario], markdown.count(size),
                   markdown.count(statistics.median(rate(r) for r in mine.values()))]
            ratios = []
            for peer in peers:
                theirs = by_key.get((scenario, size, peer), {})
                row.append(markdown.count(statistics.median(rate(r) for r in theirs.values()))
                           if theirs else "-")
                per_round = [rate(mine[n]) / rate(theirs[n]) for n in mine
                             if n in theirs and rate(theirs[n]) > 0]
                ratios.append(statistics.median(per_round) if per_round else None)
            row += [markdown.ratio(value) if value is not None else "-" for value in ratios]
            operations = sum(r["operations"] for r in mine.values())
            allocations = sum(r["allocations"] for r in mine.values())
            row.append(f"{allocations / max(operations, 1):.4f}")
            rows.append(row)
            libuv = ratios[peers.index("libuv")] if "libuv" in peers else None
            if size in TARGET_SIZES and libuv is not None and libuv < TARGET:
                missed.append(f"{LABELS[scenario]} with {markdown.count(size)} "
                              f"({markdown.ratio(libuv)})")
    lines = markdown.table(header, rows)
    medians = f"medians of {rounds} rounds" if rounds > 1 else "one round"
    lines += ["", f"Operations per second, {medians}; a ratio is the median of each round's "
                  "ratio (the libraries take turns within a round). start + cancel: "
                  "cancel a random live timer and start it again 60-120 s away (one operation = "
                  "both calls); reset: move a random live timer to a new deadline 60-120 s away; "
                  "start + expire: up to 16,384 of the live timers fall due 1-4 ms after they "
                  "start, and each library, given a millisecond between turns (not measured), "
                  "finds and fires what is due with its own expiry processing (miocpp: `timeout` "
                  "and `expire` with the time read once per turn; libuv: `uv_run(UV_RUN_NOWAIT)`; "
                  "Asio: `io_context::poll_one`), each timer started again at once (one "
                  "operation = one expiry and one start). Only the libraries' calls are timed. "
                  "allocs/op: heap allocations counted in miocpp's timed sections, per operation, "
                  "after `reserve`."]
    if "libuv" in peers:
        sizes_text = " and ".join(markdown.count(size) for size in TARGET_SIZES)
        verdict = ("met" if not missed else "**missed**: " + ", ".join(missed))
        lines += ["", f"Target: miocpp at least {TARGET:.0f}× libuv's operations per second with "
                      f"{sizes_text} live timers, and no allocation per operation: {verdict}"
                      + ("" if all(row[-1] == "0.0000" for row in rows)
                         else "; **allocations seen**") + "."]
    return lines
