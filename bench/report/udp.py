"""UDP on loopback: one receiver process and one sender process, datagrams of 64 B and 1,200 B.

Every receiver (bench/udp/) is measured in two scenarios, the receivers taking turns in each
round (A B C ... A B C ...):
  sender-bound  a sender sends as fast as it can (32 messages per call) and the receiver keeps
                up; its datagrams/s and CPU per datagram are read over a window after a warm-up
  drain         the receive queue is filled first, while the receiver waits for its go signal;
                then the receiver times itself draining it
System calls per datagram are counted in runs of their own, under perf (or strace)."""

import json
import mmap
import os
import select
import signal
import statistics
import struct
import subprocess
import tempfile
import time

from . import echo
from . import markdown
from . import priority
from . import syscalls

TARGETS = ["udp_epoll", "udp_miocpp", "udp_libuv", "udp_asio"]
SIZES = [64, 1200]
SCENARIOS = ["sender-bound", "drain"]
DRAIN = 100_000  # datagrams queued before a drain (--quick: a tenth)
RATE_TARGET = 0.95  # every miocpp mode at least 0.95x its twin's datagrams/s ...
CPU_TARGET = 1.05  # ... and at most 1.05x its CPU per datagram


class Mode:
    def __init__(self, key, label, program, mode, twin=None, sender="epoll", gso=False):
        self.key, self.label, self.program, self.mode = key, label, program, mode
        self.twin = twin  # the key of the hand-written receiver it is held to
        self.sender, self.gso = sender, gso


# In the order of every table and of every round: each twin, then what is compared with it.
MODES = [
    Mode("epoll", "epoll + `recvfrom`", "epoll", "one"),
    Mode("miocpp", "miocpp `recv_from`", "miocpp", "one", twin="epoll"),
    Mode("asio", "Asio `async_receive_from`", "asio", "one", twin="epoll"),
    Mode("epoll-mmsg", "epoll + `recvmmsg` (32)", "epoll", "batch"),
    Mode("miocpp-batch", "miocpp `recv_batch` (32)", "miocpp", "batch", twin="epoll-mmsg"),
    Mode("libuv", "libuv `UV_UDP_RECVMMSG`", "libuv", "batch", twin="epoll-mmsg"),
    Mode("epoll-gro", "`UDP_SEGMENT` → `UDP_GRO` + `recvmmsg`", "epoll", "gro", gso=True),
    Mode("miocpp-gro", "miocpp GSO `send_batch` → GRO `recv_batch`", "miocpp", "gro",
         twin="epoll-gro", sender="miocpp", gso=True),
]
LIBUV_RIVAL = ("miocpp-batch", "libuv")  # miocpp's batched receive against libuv's


def binary(udp_dir, program):
    return os.path.join(udp_dir, f"udp_{program}")


def present(udp_dir):
    """The modes whose receiver and sender were built (a peer not installed has none)."""
    return [mode for mode in MODES
            if all(os.access(binary(udp_dir, p), os.X_OK) for p in (mode.program, mode.sender))]


def cpu_ns(pid):
    """CPU time (ns) every thread of `pid` has run so far, from /proc's scheduler statistics."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat", encoding="utf-8") as stat:
            total += int(stat.read().split()[0])
    return total


def queue_drops(port):
    """Datagrams the kernel dropped for the socket bound to 127.0.0.1:`port` (/proc/net/udp)."""
    local = f"0100007F:{port:04X}"
    with open("/proc/net/udp", encoding="utf-8") as table:
        for line in table:
            fields = line.split()
            if len(fields) > 12 and fields[1] == local:
                return int(fields[-1])
    return 0


class Receiver:
    """A receiving program (possibly under perf or strace), pinned, bound, waiting for "go N";
    its running totals are in a file both sides map."""

    def __init__(self, udp_dir, mode, cpu, scratch, wrapper=()):
        self.counter = os.path.join(scratch, f"{mode.key}.totals")
        with open(self.counter, "wb") as totals:
            totals.write(bytes(mmap.PAGESIZE))
        self.process = subprocess.Popen(
            [*wrapper, binary(udp_dir, mode.program), "receive", "--mode", mode.mode,
             "--counter", self.counter],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            preexec_fn=priority.pinned(cpu))
        words = self.read_line(10, f"the {mode.key} receiver did not start").split(" ", 3)
        if len(words) != 4 or words[0] != "ready":
            raise SystemExit(f"bench/run: the {mode.key} receiver said {' '.join(words)!r}")
        self.port, self.version = int(words[2]), words[3].strip()
        with open(self.counter, "r+b") as totals:
            self.totals_map = mmap.mmap(totals.fileno(), mmap.PAGESIZE)

    def read_line(self, timeout, failure):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            raise SystemExit(f"bench/run: {failure}")
        return line

    def go(self, count):
        self.process.stdin.write(f"go {count}\n")
        self.process.stdin.flush()

    def totals(self):
        """(datagrams received, bytes received, datagrams sent) so far."""
        return struct.unpack_from("=3Q", self.totals_map)

    def pid(self):
        """The receiver's own pid (under a wrapper, the wrapper's child)."""
        children = f"/proc/{self.process.pid}/task/{self.process.pid}/children"
        try:
            with open(children, encoding="utf-8") as listed:
                inner = listed.read().split()
        except OSError:
            inner = []
        return int(inner[0]) if inner else self.process.pid

    def __enter__(self):
        return self

    def __exit__(self, *_):
        if self.process.poll() is None:
            os.kill(self.pid(), signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.totals_map.close()


def start_sender(udp_dir, mode, size, port, cpu, count=0, counter=None):
    command = [binary(udp_dir, mode.sender), "send", "--port", str(port), "--size", str(size)]
    command += ["--gso"] if mode.gso else []
    command += ["--count", str(count)] if count else []
    command += ["--counter", counter] if counter else []
    return subprocess.Popen(command, preexec_fn=priority.pinned(cpu))


def stop(process):
    process.terminate()
    process.wait()


def settled(receiver):
    """The receiver's totals once it has stopped receiving (its queue drained), within a second."""
    last = receiver.totals()
    for _ in range(50):
        time.sleep(0.02)
        now = receiver.totals()
        if now == last:
            break
        last = now
    return last


def sender_bound(receiver, mode, size, udp_dir, cpus, warmup, duration):
    """Datagrams and bytes per second and CPU ns per datagram over `duration` seconds after
    `warmup`, and the share of all the datagrams sent that arrived."""
    receiver.go(0)
    sender = start_sender(udp_dir, mode, size, receiver.port, cpus[1], counter=receiver.counter)
    try:
        time.sleep(warmup)
        first = (time.monotonic(), receiver.totals(), cpu_ns(receiver.pid()))
        time.sleep(duration)
        last = (time.monotonic(), receiver.totals(), cpu_ns(receiver.pid()))
    finally:
        stop(sender)
    seconds = last[0] - first[0]
    received, received_bytes, _ = (b - a for a, b in zip(first[1], last[1]))
    received_in_all, _, sent_in_all = settled(receiver)
    return {"rate": received / seconds, "bytes_rate": received_bytes / seconds,
            "cpu_ns": (last[2] - first[2]) / max(received, 1),
            "kept": received_in_all / max(sent_in_all, 1)}


class Overflow(Exception):
    """The drain's datagrams did not all fit the receive queue."""


def fill(receiver, mode, size, udp_dir, cpus, count):
    """Queues `count` datagrams for the waiting receiver; Overflow when some were dropped."""
    sender = start_sender(udp_dir, mode, size, receiver.port, cpus[1], count=count)
    if sender.wait() != 0:
        raise SystemExit(f"bench/run: the {mode.sender} sender failed")
    time.sleep(0.02)  # the last datagrams through the loopback's backlog
    if queue_drops(receiver.port):
        raise Overflow()


def drained(receiver, mode, count):
    """Sends the go signal and returns the receiver's own figures for draining `count`."""
    receiver.go(count)
    result = json.loads(receiver.read_line(120, f"the {mode.key} receiver did not finish"))
    return {"rate": result["datagrams"] / result["seconds"],
            "bytes_rate": result["bytes"] / result["seconds"],
            "cpu_ns": result["cpu_seconds"] * 1e9 / max(result["datagrams"], 1),
            "datagrams": result["datagrams"]}


def drain(receiver, mode, size, udp_dir, cpus, count):
    fill(receiver, mode, size, udp_dir, cpus, count)
    return drained(receiver, mode, count)


def count_calls(udp_dir, mode, size, scenario, cpus, window, count, which, scratch):
    """System calls per datagram of one receiver: over its whole life for sender-bound (under
    perf stat or strace -c), from the go signal to its end for the drain (attached then)."""
    output = os.path.join(scratch, f"{mode.key}.calls")
    tool = (["perf", "stat", "-x,", "-o", output, "-e", syscalls.TOTAL] if which == "perf"
            else ["strace", "-c", "-f", "-o", output])
    if scenario == "sender-bound":
        wrapper = tool + ["--"] if which == "perf" else tool
        with Receiver(udp_dir, mode, cpus[0], scratch, wrapper) as receiver:
            receiver.go(0)
            sender = start_sender(udp_dir, mode, size, receiver.port, cpus[1])
            time.sleep(window)
            stop(sender)
            datagrams = settled(receiver)[0]
    else:
        with Receiver(udp_dir, mode, cpus[0], scratch) as receiver:
            fill(receiver, mode, size, udp_dir, cpus, count)
            tracer = subprocess.Popen([*tool, "-p", str(receiver.pid())],
                                      stderr=subprocess.DEVNULL)
            time.sleep(0.3)  # attached before the go signal
            datagrams = drained(receiver, mode, count)["datagrams"]
            tracer.send_signal(signal.SIGINT)  # perf stat -p outlives its target
            tracer.wait(timeout=30)
    calls = syscalls.parse_perf(output) if which == "perf" else syscalls.parse_strace(output)
    if which != "perf":
        calls["total"] = sum(n for name, n in calls.items() if name != "total")
    return calls.get("total", 0) / max(datagrams, 1)


def measure(udp_dir, rounds, warmup, duration, quick, progress):
    """{(scenario, size, mode key): [result of each round]}, plus under "versions" {program:
    version}, under "drain" {size: datagrams per drain} and under "calls" the tool used."""
    cpus = echo.cpus()
    modes = present(udp_dir)
    drain_count = {size: DRAIN // 10 if quick else DRAIN for size in SIZES}
    results = {"versions": {}, "drain": drain_count, "calls": None}
    with tempfile.TemporaryDirectory() as scratch:
        for round_number in range(1, rounds + 1):
            for scenario in SCENARIOS:
                for size in SIZES:
                    for mode in modes:
                        result = run_one(udp_dir, mode, size, scenario, cpus, warmup, duration,
                                         drain_count, scratch, progress)
                        results.setdefault((scenario, size, mode.key), []).append(result)
                        progress(f"round {round_number}/{rounds} udp {scenario} {size} B "
                                 f"{mode.key}: {result['rate']:,.0f} datagrams/s, "
                                 f"{result['cpu_ns']:.0f} ns CPU/datagram")
                        for name, version in result.pop("versions").items():
                            results["versions"][name] = version
        which = syscalls.tool()
        if which is None:
            progress("neither perf nor strace works here: UDP system calls not counted")
            return results
        results["calls"] = which
        for scenario in SCENARIOS:
            # --quick counts the smaller size only: enough to show the counting works.
            for size in SIZES[:1] if quick else SIZES:
                for mode in modes:
                    per = count_calls(udp_dir, mode, size, scenario, cpus, warmup + duration,
                                      drain_count[size], which, scratch)
                    results[("calls", scenario, size, mode.key)] = per
                    progress(f"{which} udp {scenario} {size} B {mode.key}: {per:.3f} system "
                             f"calls/datagram")
    return results


def run_one(udp_dir, mode, size, scenario, cpus, warmup, duration, drain_count, scratch,
            progress):
    """One receiver's run; a drain whose datagrams do not fit the receive queue is run again
    with half as many, for the rest of the run."""
    while True:
        with Receiver(udp_dir, mode, cpus[0], scratch) as receiver:
            try:
                if scenario == "sender-bound":
                    result = sender_bound(receiver, mode, size, udp_dir, cpus, warmup, duration)
                else:
                    result = drain(receiver, mode, size, udp_dir, cpus, drain_count[size])
            except Overflow:
                drain_count[size] //= 2
                progress(f"udp: {size} B datagrams overflowed the receive queue; draining "
                         f"{drain_count[size]:,} from now on (raise net.core.rmem_max)")
                continue
            result["versions"] = {mode.program: receiver.version}
            return result


def ratios(results, scenario, size, key, rival, field):
    """Each round's `field` of `key` over `rival`'s in the same round."""
    mine, theirs = results[(scenario, size, key)], results[(scenario, size, rival)]
    return [a[field] / max(b[field], 1e-12) for a, b in zip(mine, theirs)]


def compared(results, scenario, size, key, rival):
    """(datagrams/s ratio, CPU per datagram ratio): medians of the per-round ratios."""
    return (statistics.median(ratios(results, scenario, size, key, rival, "rate")),
            statistics.median(ratios(results, scenario, size, key, rival, "cpu_ns")))


def table(results, scenario, size, modes):
    header = ["receiver", "datagrams/s", "MB/s", "× twin", "CPU ns/datagram", "CPU × twin",
              "system calls/datagram"] + (["arrived"] if scenario == "sender-bound" else [])
    rows = []
    for mode in modes:
        runs = results[(scenario, size, mode.key)]
        rate, cpu = "-", "-"
        if mode.twin and (scenario, size, mode.twin) in results:
            rate, cpu = (markdown.ratio(r) for r in compared(results, scenario, size, mode.key,
                                                             mode.twin))
        calls = results.get(("calls", scenario, size, mode.key))
        # The twins run on the kernel the description above names.
        version = "" if mode.program == "epoll" else results["versions"].get(mode.program, "")
        row = [f"{mode.label} {version}".strip(),
               markdown.count(statistics.median(r["rate"] for r in runs)),
               f"{statistics.median(r['bytes_rate'] for r in runs) / 1e6:,.1f}", rate,
               f"{statistics.median(r['cpu_ns'] for r in runs):,.0f}", cpu,
               "-" if calls is None else f"{calls:.3f}"]
        if scenario == "sender-bound":
            row.append(f"{statistics.median(r['kept'] for r in runs) * 100:.1f}%")
        rows.append(row)
    return markdown.table(header, rows)


def verdict(results, modes):
    """The targets, checked in every scenario and size (ratios compared as printed)."""
    present_keys = {mode.key for mode in modes}
    missed = []
    for scenario in SCENARIOS:
        for size in SIZES:
            where = f"{scenario} {size} B"
            for mode in modes:
                if mode.program != "miocpp" or mode.twin not in present_keys:
                    continue
                rate, cpu = compared(results, scenario, size, mode.key, mode.twin)
                if round(rate, 3) < RATE_TARGET or round(cpu, 3) > CPU_TARGET:
                    missed.append(f"{mode.key} {where} ({markdown.ratio(rate)} datagrams/s, "
                                  f"{markdown.ratio(cpu)} CPU)")
            if set(LIBUV_RIVAL) <= present_keys:
                rate, cpu = compared(results, scenario, size, *LIBUV_RIVAL)
                if round(rate, 3) < 1 or round(cpu, 3) > 1:
                    missed.append(f"miocpp-batch behind libuv {where} ({markdown.ratio(rate)} "
                                  f"datagrams/s, {markdown.ratio(cpu)} CPU)")
    return "met" if not missed else "**missed**: " + "; ".join(missed)


def report(results, rounds):
    modes = [mode for mode in MODES if ("drain", SIZES[0], mode.key) in results]
    lines = []
    for scenario in SCENARIOS:
        for size in SIZES:
            lines += [f"#### {scenario}, {size:,} B datagrams", ""]
            lines += [*table(results, scenario, size, modes), ""]
    drain_counts = " and ".join(f"{results['drain'][size]:,} of {size:,} B" for size in SIZES)
    calls = {"perf": "`perf stat` on the system-call tracepoints",
             "strace": "`strace -c -f` (which slows the receiver, so more datagrams wait per "
                       "call)"}.get(results["calls"])
    medians = f"Medians of {rounds} rounds" if rounds > 1 else "One round"
    counted = ("receiver made (sender-bound: over its life; drain: from the go signal), divided "
               f"by the datagrams it received, in runs of their own, with {calls}." if calls
               else "receiver made: not counted here (neither perf nor strace works).")
    lines += [
        f"{medians}, the receivers taking turns in each; the receiver on one CPU, the sender on "
        "another. Sender-bound: one sender for every receiver of a size (`sendmmsg` of 32 "
        "datagrams, connected), as fast as it can; the GSO modes each with their own sender, 32 "
        "messages per call of up to 64 datagrams cut by the kernel (`UDP_SEGMENT`), so both ends "
        "of each GSO pipeline are compared. Datagrams/s and CPU over a window after a warm-up, "
        "the CPU from /proc's scheduler statistics; arrived: the share of all the datagrams sent "
        "in the run (warm-up included) that the receiver got (below 100%, it fell behind and its "
        f"full queue dropped some). Drain: the receive queue holds {drain_counts} datagrams "
        "before the receiver is told to go; it times itself (`CLOCK_PROCESS_CPUTIME_ID` for the "
        "CPU) until it has them all.",
        "",
        "× twin: against the hand-written receiver of the same kind, same round (`recvfrom` for "
        "miocpp's `recv_from` and Asio, `recvmmsg` for `recv_batch` and libuv, the GSO/GRO pair "
        "for miocpp's). Each receiver reads until drained: miocpp and the twins until "
        "would-block, a batch also until one comes back short (`recv_batch` promises that means "
        "drained; epoll raises a new event for each datagram after); libuv until EAGAIN or 32 "
        "datagrams per event; Asio until EAGAIN. Every receiver has 64 KiB per slot (libuv's own "
        "chunk size; libuv uses up to 20 of the 32 chunks it is given per call). System calls: "
        f"every call the {counted}",
        "",
        f"Targets: every miocpp mode at least {RATE_TARGET}× its twin's datagrams/s and at most "
        f"{CPU_TARGET}× its CPU per datagram, and miocpp's `recv_batch` at or above libuv's "
        "datagrams/s at no more CPU per datagram, in both scenarios and sizes: "
        f"{verdict(results, modes)}."]
    return lines
