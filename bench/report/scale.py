"""The scale table: a poll's cost against the number of idle registered sockets."""

from . import gbench
from . import markdown


def run(binary, repetitions, min_time):
    # In order: the 100,000 sockets are opened once, not once per repetition.
    return gbench.run(binary, repetitions, min_time, interleave=False)


def report(results):
    pairs = sorted(((int(name.split("/")[1]), mine, raw)
                    for mine, raw, name in gbench.twins(results)), key=lambda pair: pair[0])
    if not pairs:
        return ["(no results)"]
    base_mine, base_raw = pairs[0][1]["ns"], pairs[0][2]["ns"]
    rows = []
    for sockets, mine, raw in pairs:
        rows.append([f"{sockets:,}", markdown.nanoseconds(mine["ns"]),
                     markdown.ratio(mine["ns"] / base_mine), markdown.nanoseconds(raw["ns"]),
                     markdown.ratio(raw["ns"] / base_raw), markdown.ratio(mine["ns"] / raw["ns"])])
    lines = markdown.table(["idle sockets", "`Poll::poll`", "vs 1 socket", "`epoll_wait`",
                            "vs 1 socket", "miocpp / raw"], rows)
    most, mine, raw = pairs[-1]
    lines += ["", f"A poll that finds nothing ready, with that many UDP sockets registered for "
                  f"reading. With {most:,} idle sockets a poll costs "
                  f"{mine['ns'] / base_mine:.2f}× what it costs with {pairs[0][0]:,} "
                  f"({raw['ns'] / base_raw:.2f}× for raw epoll): the kernel keeps a ready list "
                  f"and never walks the idle ones."]
    return lines
