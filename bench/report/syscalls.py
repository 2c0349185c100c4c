"""System calls per echoed message, for each server under the C=100 load.

Counted with `perf stat` on the syscall tracepoints where perf is allowed to (it costs the server
little, so the count is that of a normal run), else with `strace -c -f` (which slows the server
down several times, so more messages wait per read and the counts shift)."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

from . import echo
from . import markdown
from . import servers

SCENARIO = echo.SCENARIOS[1]  # C=100 S=64
GROUPS = {
    "wait": ["epoll_wait", "epoll_pwait", "epoll_pwait2"],
    "read": ["read", "readv", "recvfrom", "recvmsg"],
    "write": ["write", "writev", "sendto", "sendmsg"],
}
TOTAL = "raw_syscalls:sys_enter"


def tool():
    """'perf', 'strace' or None: what can count system calls here."""
    if shutil.which("perf"):
        probe = subprocess.run(["perf", "stat", "-e", TOTAL, "--", "true"], capture_output=True,
                               check=False)
        if probe.returncode == 0:
            return "perf"
    return "strace" if shutil.which("strace") else None


def perf_events():
    listed = subprocess.run(["perf", "list", "tracepoint"], capture_output=True, text=True,
                            check=False).stdout
    names = [name for group in GROUPS.values() for name in group
             if f"syscalls:sys_enter_{name} " in listed]
    return [TOTAL] + [f"syscalls:sys_enter_{name}" for name in names]


def parse_perf(path):
    """{system call or 'total': calls} from perf stat -x, output."""
    calls = {}
    with open(path, encoding="utf-8") as output:
        for line in output:
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[0].isdigit():
                event = fields[2]
                name = "total" if event == TOTAL else event.rsplit("sys_enter_", 1)[-1]
                calls[name] = int(fields[0])
    return calls


def parse_strace(path):
    """{system call or 'total': calls} from strace -c's summary table."""
    calls = {}
    with open(path, encoding="utf-8") as summary:
        for line in summary:
            fields = line.split()
            # % time, seconds, usecs/call, calls, [errors,] name
            if len(fields) in (5, 6) and fields[3].isdigit():
                calls[fields[-1]] = calls.get(fields[-1], 0) + int(fields[3])
    return calls


def count_with_perf(echo_dir, library, cpus, duration, output):
    events = perf_events()
    with servers.Server(echo_dir, library, cpus[0]) as server:
        perf = subprocess.Popen(["perf", "stat", "-x,", "-o", output, "-p",
                                 str(server.process.pid), "-e", ",".join(events)],
                                stderr=subprocess.DEVNULL)
        time.sleep(0.3)  # attached before the first connection
        load = echo.run_load(echo_dir, server.port, SCENARIO, 0, duration, cpus[1])
        perf.send_signal(signal.SIGINT)
        perf.wait()
    return load["total_messages"], parse_perf(output)


def count_with_strace(echo_dir, library, cpus, duration, output):
    wrapper = ["strace", "-c", "-f", "-o", output]
    with servers.Server(echo_dir, library, cpus[0], wrapper) as server:
        load = echo.run_load(echo_dir, server.port, SCENARIO, 0, duration, cpus[1])
    return load["total_messages"], parse_strace(output)


def measure(echo_dir, which, duration, progress):
    """{library: (messages echoed, {system call: calls})}."""
    count = count_with_perf if which == "perf" else count_with_strace
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for library in servers.present(echo_dir):
            results[library] = count(echo_dir, library, echo.cpus(), duration,
                                     os.path.join(scratch, library))
            messages, calls = results[library]
            progress(f"{which} {library}: {messages:,} messages, {calls.get('total', 0):,} "
                     f"system calls")
    return results


def report(results, which):
    rows, per_message = [], {}
    for library in servers.LIBRARIES:
        if library not in results:
            continue
        messages, calls = results[library]
        grouped = {group: sum(calls.get(name, 0) for name in names)
                   for group, names in GROUPS.items()}
        per_message[library] = calls.get("total", 0) / messages
        other = calls.get("total", 0) - sum(grouped.values())
        rows.append([library, f"{per_message[library]:.3f}",
                     *(f"{grouped[group] / messages:.3f}" for group in GROUPS),
                     f"{other / messages:.3f}"])
    lines = markdown.table(["server", "per message", "wait", "read", "write", "other"], rows)
    command = ("`perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_...`" if which == "perf"
               else "`strace -c -f`")
    lines += ["", f"{SCENARIO.title()}; every system call the server made while the load ran "
                  f"(accepting the connections included), divided by the messages echoed; "
                  f"{command}. Wait = `epoll_wait` and kin; read = `read`, `recvfrom`, ...; "
                  f"write = `write`, `sendto`, ...."]
    mine, floor = per_message.get("miocpp"), per_message.get(servers.FLOOR)
    if mine is not None and floor is not None:
        lines += ["", f"Reading: miocpp makes {mine:.3f} system calls per message, hand-written "
                      f"epoll stopping at short reads {floor:.3f} "
                      f"({(mine / floor - 1) * 100:+.1f}%). Both make the same "
                      f"calls for the same readiness; how many messages one read or one "
                      f"`epoll_wait` finds depends on timing, hence a small spread from run to "
                      f"run."]
    return lines
