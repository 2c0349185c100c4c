"""Keeping the rest of the machine out of a measurement: a CPU of its own, the top priority."""

import os


def pinned(cpu):
    """A preexec_fn that pins the child (and what it runs) to `cpu`, at the highest priority this
    user may set, so that other work on the machine takes as little from the measurement as it
    can. Without a CPU to spare, only the priority."""

    def setup():
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})
        try:
            os.setpriority(os.PRIO_PROCESS, 0, -20)
        except PermissionError:
            pass

    return setup
