"""The micro-benchmark table: each miocpp operation beside its raw system call."""

from . import gbench
from . import markdown

TARGET = 1.05  # each operation within 5% of its twin

# case name (without miocpp_/raw_) -> (miocpp operation, its raw twin)
LABELS = {
    "poll_0_ready": ("`Poll::poll`, 0 ready", "`epoll_wait`"),
    "poll_n_ready/1": ("`Poll::poll`, 1 ready", "`epoll_wait`"),
    "poll_n_ready/64": ("`Poll::poll`, 64 ready", "`epoll_wait`"),
    "wake_then_poll": ("`Waker::wake` + `Poll::poll`", "eventfd `write` + `epoll_wait`"),
    "register_deregister": ("`register_source` + `deregister`", "`epoll_ctl` ADD + DEL"),
    "reregister": ("`reregister`", "`epoll_ctl` MOD"),
    "register_close": ("open, `register_source`, destroy a `UdpSocket`",
                       "`socket` + `epoll_ctl` ADD + DEL + `close`"),
    "events_iterate": ("iterate 64 `Events` (token, readable)", "iterate 64 `epoll_event`"),
    "tcp_write_read/64": ("`TcpStream::write` + `read`, 64 B", "`write` + `read`"),
    "tcp_write_read/4096": ("`TcpStream::write` + `read`, 4 KiB", "`write` + `read`"),
}


def run(binary, repetitions, min_time):
    return gbench.run(binary, repetitions, min_time)


def report(results):
    rows, misses = [], []
    order = list(LABELS)
    pairs = sorted(gbench.twins(results),
                   key=lambda pair: order.index(pair[2]) if pair[2] in order else len(order))
    for mine, raw, name in pairs:
        operation, twin = LABELS.get(name, (name, "raw"))
        ratio = mine["ns"] / raw["ns"]
        allocations = "-" if mine["allocs"] is None else f"{mine['allocs']:g}"
        within = ratio <= TARGET
        if not within:
            misses.append(operation)
        reading = (f"{(ratio - 1) * 100:+.1f}%: " +
                   ("within 5%" if within else "**over the 5% target**"))
        rows.append([operation, markdown.nanoseconds(mine["ns"]), twin,
                     markdown.nanoseconds(raw["ns"]), markdown.ratio(ratio), allocations,
                     reading])
    lines = markdown.table(["miocpp", "time", "raw twin", "time", "ratio", "allocs", "reading"],
                           rows)
    lines += ["", "Median CPU time per operation; ratio = miocpp / raw twin; allocs = heap "
                  "allocations per miocpp operation. " +
              ("Every operation is within 5% of its twin." if not misses else
               f"Over 5%: {', '.join(misses)}.")]
    bare, full = results.get("bare_register_close"), results.get("raw_register_close")
    if bare and full:
        lines += ["", "Destroying a registered source deletes its registration first (epoll keys "
                      "it to the open file, which a `dup` or a child process may keep): "
                      f"{markdown.nanoseconds(full['ns'] - bare['ns'])} per close, "
                      f"{(full['ns'] / bare['ns'] - 1) * 100:+.1f}% on `socket` + `epoll_ctl` ADD "
                      f"+ `close` ({markdown.nanoseconds(bare['ns'])})."]
    return lines
