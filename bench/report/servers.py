"""Starting an echo server pinned to a CPU, waiting for its 'ready' line, and stopping it."""

import os
import select
import signal
import socket
import subprocess
import time

from .priority import pinned

# In the order of every table and of every round. The floor miocpp is held to is hand-written
# epoll running the same loop (stopping at a short read); "epoll" reads until EAGAIN, as mio's
# rule asks and libevent's server here does.
LIBRARIES = ["epoll-short", "epoll", "miocpp", "libuv", "libevent", "libev", "asio"]
FLOOR = "epoll-short"
# The hand-written servers: references, not peers miocpp is ranked against.
REFERENCES = ("epoll-short", "epoll")


def present(echo_dir):
    """The libraries whose server was built (a peer that is not installed has none)."""
    return [name for name in LIBRARIES if os.access(os.path.join(echo_dir, f"echo_{name}"), os.X_OK)]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One echo server process, possibly under a wrapper such as strace."""

    def __init__(self, echo_dir, library, cpu, wrapper=()):
        self.library = library
        self.port = free_port()
        self.process = subprocess.Popen(
            [*wrapper, os.path.join(echo_dir, f"echo_{library}"), str(self.port)],
            stdout=subprocess.PIPE, text=True, preexec_fn=pinned(cpu))
        self.version = self._wait_until_ready()

    def _wait_until_ready(self, timeout=10.0):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line.startswith("ready "):
            self.process.kill()
            raise SystemExit(f"bench/run: the {self.library} server did not start")
        return line.split(" ", 2)[2].strip()

    def stop(self):
        """SIGTERM to the server itself (under a wrapper, its child), then waits for all."""
        target = self.process.pid
        children = f"/proc/{target}/task/{target}/children"
        if os.path.exists(children):
            with open(children, encoding="utf-8") as listed:
                inner = listed.read().split()
            if inner:
                target = int(inner[0])
        os.kill(target, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        time.sleep(0.05)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.stop()
