// Runs a WASI preview1 command module under Node's node:wasi, passing its exit code through:
//   node --no-warnings run.mjs module.wasm [arguments...]
// It is the CMAKE_CROSSCOMPILING_EMULATOR of the WASI toolchain (cmake/toolchains/wasi.cmake).
//
// The module runs in a worker thread, so that this (main) thread's event loop stays free while
// the module blocks in poll_oneoff. Two test fixtures can be asked for through the environment:
//
// MIOCPP_WASI_PIPE=1
//   The module's stdin (fd 0) is the read end of a fresh non-blocking pipe (a FIFO) and its stderr
//   (fd 2) the write end: the module talks to itself through a real host pipe, polled by Node's
//   own poll_oneoff. Closing fd 2 hangs the pipe up.
//
// MIOCPP_WASI_SOCKETS=N
//   The runtime half of TCP for preview1 modules: a listening socket and N client connections to
//   it, pre-opened at the descriptors named by MIOCPP_WASI_LISTENER_FD and MIOCPP_WASI_CLIENT_FDS
//   (comma-separated) in the module's environment; the N server ends wait in the listener's
//   backlog for sock_accept. Node can hand no host socket to a module (its sock_* calls crash on
//   a real descriptor), so this runner supplies sock_accept, sock_recv, sock_send, sock_shutdown,
//   poll_oneoff, fd_close, fd_fdstat_get, fd_fdstat_set_flags, fd_read and fd_write for those
//   descriptors, backed by real loopback TCP sockets that this thread drives. It is a test double
//   of the runtime; the module's code is the real thing. Each socket buffers at most
//   `socket_limit` bytes in each direction, so a writer meets would-block once the peer stops
//   reading and the kernel's buffers are full. A poll_oneoff that mixes these descriptors with
//   real ones reports the real ones as errors (ENOTSUP).
import { execFileSync } from 'node:child_process';
import { constants as fs_constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argv, env, exit } from 'node:process';
import {
  MessageChannel, Worker, isMainThread, parentPort, receiveMessageOnPort, workerData,
} from 'node:worker_threads';

// WASI errno values and constants (wasi/api.h).
const E = { SUCCESS: 0, AGAIN: 6, BADF: 8, CONNRESET: 15, INVAL: 28, NOTCONN: 53, NOTSUP: 58, PIPE: 64 };
const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 };
const HANGUP = 1;
const RIFLAGS_RECV_PEEK = 1;
const SDFLAGS_RD = 1;
const SDFLAGS_WR = 2;
const FILETYPE_SOCKET_STREAM = 6;
const FDFLAGS_NONBLOCK = 4;

const socket_limit = 64 * 1024;
const first_socket_fd = 100;

// ---- Main thread: fixtures, the socket host, the exit code -------------------------------------

async function main() {
  if (argv.length < 3) {
    console.error('usage: node run.mjs module.wasm [arguments...]');
    exit(2);
  }
  const module_env = { ...env };
  const stdio = {};
  const cleanup = [];

  if (env.MIOCPP_WASI_PIPE === '1') {
    const dir = mkdtempSync(join(tmpdir(), 'miocpp-wasi-'));
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // The read end first, non-blocking (so opening it does not wait for a writer, and reads of
    // an empty pipe report EAGAIN); then the write end, which finds the reader there.
    stdio.stdin = openSync(fifo, fs_constants.O_RDONLY | fs_constants.O_NONBLOCK);
    stdio.stderr = openSync(fifo, fs_constants.O_WRONLY);
    rmSync(dir, { recursive: true });
  }

  const host = new SocketHost();
  const socket_count = Number(env.MIOCPP_WASI_SOCKETS ?? 0);
  if (socket_count > 0) {
    const fds = await host.open(socket_count);
    module_env.MIOCPP_WASI_LISTENER_FD = String(fds.listener);
    module_env.MIOCPP_WASI_CLIENT_FDS = fds.clients.join(',');
    cleanup.push(() => host.close_all());
  }

  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (request) => {
    host.handle(request, (reply) => {
      port1.postMessage(reply);
      Atomics.store(signal, 0, 1);
      Atomics.notify(signal, 0);
    });
  });

  const worker = new Worker(new URL(import.meta.url), {
    argv: [],
    workerData: {
      path: argv[2],
      args: argv.slice(2),
      env: module_env,
      stdio,
      signal,
      port: port2,
      socket_fds: host.fds(),
    },
    transferList: [port2],
  });
  let code = 1;
  worker.on('message', (message) => {
    code = message.exit_code;
  });
  worker.on('error', (error) => {
    console.error(`run.mjs: the module failed: ${error.stack ?? error}`);
    code = 1;
  });
  worker.on('exit', () => {
    for (const step of cleanup) {
      step();
    }
    exit(code);
  });
}

/// The host side of the pre-opened sockets: one entry per module descriptor.
class SocketHost {
  constructor() {
    this.entries = new Map();
    this.next_fd = first_socket_fd;
    this.waiters = new Set();
  }

  fds() {
    return [...this.entries.keys()];
  }

  /// Listens on 127.0.0.1, connects `count` clients and waits until the listener holds all of
  /// them in its backlog.
  async open(count) {
    const pending = [];
    const server = net.createServer();
    const accepted = new Promise((resolve) => {
      server.on('connection', (socket) => {
        pending.push(this.stream_entry(socket));
        if (pending.length === count) {
          resolve();
        }
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const listener = this.add({ kind: 'listener', server, pending });
    const clients = [];
    for (let i = 0; i < count; ++i) {
      const socket = net.connect(server.address().port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      clients.push(this.add(this.stream_entry(socket)));
    }
    await accepted;
    return { listener, clients };
  }

  add(entry) {
    const fd = this.next_fd++;
    this.entries.set(fd, entry);
    return fd;
  }

  stream_entry(socket) {
    const entry = {
      kind: 'stream',
      socket,
      chunks: [],
      buffered: 0,
      eof: false,  // the peer shut its writing side (or the connection is gone)
      reset: false,
      read_shut: false,
      write_shut: false,
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      entry.chunks.push(chunk);
      entry.buffered += chunk.length;
      if (entry.buffered >= socket_limit) {
        socket.pause();  // a full receive buffer: let TCP's flow control stop the peer
      }
      this.changed();
    });
    socket.on('end', () => {
      entry.eof = true;
      this.changed();
    });
    socket.on('error', () => {
      entry.reset = true;
      entry.eof = true;
      this.changed();
    });
    socket.on('close', () => {
      entry.eof = true;
      this.changed();
    });
    socket.on('drain', () => this.changed());
    return entry;
  }

  close_all() {
    for (const entry of this.entries.values()) {
      this.close_entry(entry);
    }
    this.entries.clear();
  }

  close_entry(entry) {
    if (entry.kind === 'listener') {
      for (const pending of entry.pending) {
        pending.socket.destroy();
      }
      entry.server.close();
    } else {
      entry.socket.destroy();
    }
  }

  /// Answers one request of the module's thread through `reply`, now or (a waiting poll) later.
  handle(request, reply) {
    const entry = this.entries.get(request.fd);
    switch (request.op) {
      case 'poll':
        return this.poll(request.subscriptions, reply);
      case 'close':
        if (entry) {
          this.close_entry(entry);
          this.entries.delete(request.fd);
        }
        return reply({ errno: entry ? E.SUCCESS : E.BADF });
      case 'accept':
        return reply(this.accept(entry));
      case 'recv':
        return reply(this.recv(entry, request.length, request.flags));
      case 'send':
        return reply(this.send(entry, request.data));
      case 'shutdown':
        return reply(this.shutdown(entry, request.how));
      default:
        return reply({ errno: E.NOTSUP });
    }
  }

  accept(entry) {
    if (!entry || entry.kind !== 'listener') {
      return { errno: E.BADF };
    }
    if (entry.pending.length === 0) {
      return { errno: E.AGAIN };
    }
    return { errno: E.SUCCESS, fd: this.add(entry.pending.shift()) };
  }

  recv(entry, length, flags) {
    if (!entry || entry.kind !== 'stream') {
      return { errno: E.BADF };
    }
    if (entry.read_shut) {
      return { errno: E.SUCCESS, data: new Uint8Array(0) };
    }
    if (entry.buffered === 0) {
      if (entry.reset) {
        return { errno: E.CONNRESET };
      }
      return entry.eof ? { errno: E.SUCCESS, data: new Uint8Array(0) } : { errno: E.AGAIN };
    }
    const all = Buffer.concat(entry.chunks);
    const data = new Uint8Array(all.subarray(0, Math.min(length, all.length)));
    if ((flags & RIFLAGS_RECV_PEEK) === 0) {
      const rest = all.subarray(data.length);
      entry.chunks = rest.length > 0 ? [rest] : [];
      entry.buffered = rest.length;
      if (entry.buffered < socket_limit && entry.socket.isPaused()) {
        entry.socket.resume();
      }
    } else {
      entry.chunks = [all];
    }
    return { errno: E.SUCCESS, data };
  }

  send(entry, data) {
    if (!entry || entry.kind !== 'stream') {
      return { errno: E.BADF };
    }
    if (entry.write_shut || entry.socket.destroyed) {
      return { errno: entry.reset ? E.CONNRESET : E.PIPE };
    }
    const room = socket_limit - entry.socket.writableLength;
    if (room <= 0) {
      return { errno: E.AGAIN };
    }
    const count = Math.min(room, data.length);
    entry.socket.write(Buffer.from(data.buffer, data.byteOffset, count));
    return { errno: E.SUCCESS, count };
  }

  shutdown(entry, how) {
    if (!entry || entry.kind !== 'stream') {
      return { errno: E.BADF };
    }
    if ((how & SDFLAGS_RD) !== 0) {
      entry.read_shut = true;
      entry.chunks = [];
      entry.buffered = 0;
      entry.socket.resume();
    }
    if ((how & SDFLAGS_WR) !== 0 && !entry.write_shut) {
      entry.write_shut = true;
      entry.socket.end();
    }
    this.changed();
    return { errno: E.SUCCESS };
  }

  /// What one subscription reports now: undefined when not ready, else { flags } or { error }.
  readiness(subscription) {
    const entry = this.entries.get(subscription.fd);
    if (!entry) {
      return { error: E.BADF };  // closed since the module subscribed
    }
    if (subscription.type === EVENTTYPE.FD_READ) {
      if (entry.kind === 'listener') {
        return entry.pending.length > 0 ? { flags: 0 } : undefined;
      }
      if (entry.buffered > 0 || entry.read_shut) {
        return { flags: entry.eof ? HANGUP : 0 };
      }
      return entry.eof ? { flags: HANGUP } : undefined;
    }
    if (entry.kind === 'listener') {
      return undefined;
    }
    if (entry.reset || entry.socket.destroyed) {
      return { flags: HANGUP };
    }
    if (entry.write_shut) {
      return undefined;
    }
    return entry.socket.writableLength < socket_limit ? { flags: 0 } : undefined;
  }

  /// poll_oneoff over these sockets: every ready subscription at once, else the first change or
  /// the relative clock, whichever comes first.
  poll(subscriptions, reply) {
    const evaluate = () => {
      const events = [];
      for (const subscription of subscriptions) {
        if (subscription.type === EVENTTYPE.CLOCK) {
          continue;
        }
        const ready = subscription.known ? this.readiness(subscription) : { error: E.NOTSUP };
        if (ready) {
          events.push({ userdata: subscription.userdata, type: subscription.type, error: ready.error ?? 0, flags: ready.flags ?? 0 });
        }
      }
      return events;
    };
    const clock = subscriptions.find((subscription) => subscription.type === EVENTTYPE.CLOCK);
    const first = evaluate();
    if (first.length > 0) {
      return reply({ errno: E.SUCCESS, events: first });
    }
    const clock_event = () => ({ userdata: clock.userdata, type: EVENTTYPE.CLOCK, error: 0, flags: 0 });
    if (clock && clock.timeout === 0n) {
      return reply({ errno: E.SUCCESS, events: [clock_event()] });
    }
    let timer;
    const waiter = () => {
      const events = evaluate();
      if (events.length > 0) {
        finish(events);
      }
    };
    const finish = (events) => {
      clearTimeout(timer);
      this.waiters.delete(waiter);
      reply({ errno: E.SUCCESS, events });
    };
    this.waiters.add(waiter);
    if (clock) {
      // setTimeout counts whole milliseconds and may fire a little early: round up, plus one.
      const milliseconds = Number((clock.timeout + 999_999n) / 1_000_000n) + 1;
      timer = setTimeout(() => finish([clock_event()]), Math.min(milliseconds, 2 ** 31 - 1));
    }
  }

  changed() {
    for (const waiter of [...this.waiters]) {
      waiter();
    }
  }
}

// ---- Worker thread: the module and its imports --------------------------------------------------

async function run_module() {
  const { WASI } = await import('node:wasi');
  const { path, args, env: module_env, stdio, signal, port, socket_fds } = workerData;
  const wasi = new WASI({ version: 'preview1', args, env: module_env, returnOnExit: true, ...stdio });
  // wasiImport rather than getImportObject(), which Node 18 lacks.
  const imports = { wasi_snapshot_preview1: { ...wasi.wasiImport } };
  const real = { ...imports.wasi_snapshot_preview1 };
  let memory;

  if (socket_fds.length > 0) {
    const mock_fds = new Set(socket_fds);
    const call = (request) => {
      Atomics.store(signal, 0, 0);
      port.postMessage(request);
      Atomics.wait(signal, 0, 0);
      return receiveMessageOnPort(port).message;
    };
    const view = () => new DataView(memory.buffer);
    const bytes = () => new Uint8Array(memory.buffer);
    const iovecs = (pointer, count) => {
      const list = [];
      for (let i = 0; i < count; ++i) {
        list.push([view().getUint32(pointer + 8 * i, true), view().getUint32(pointer + 8 * i + 4, true)]);
      }
      return list;
    };
    const gather = (pointer, count) => {
      const parts = iovecs(pointer, count).map(([base, length]) => bytes().slice(base, base + length));
      return Buffer.concat(parts);
    };
    const scatter = (pointer, count, data) => {
      let offset = 0;
      for (const [base, length] of iovecs(pointer, count)) {
        const part = data.subarray(offset, offset + length);
        bytes().set(part, base);
        offset += part.length;
        if (offset === data.length) {
          break;
        }
      }
    };
    const total_length = (pointer, count) => iovecs(pointer, count).reduce((sum, [, length]) => sum + length, 0);

    const recv = (fd, iovs, count, flags, result) => {
      const reply = call({ op: 'recv', fd, length: total_length(iovs, count), flags });
      if (reply.errno === E.SUCCESS) {
        scatter(iovs, count, reply.data);
        view().setUint32(result, reply.data.length, true);
      }
      return reply.errno;
    };
    const send = (fd, iovs, count, result) => {
      const reply = call({ op: 'send', fd, data: gather(iovs, count) });
      if (reply.errno === E.SUCCESS) {
        view().setUint32(result, reply.count, true);
      }
      return reply.errno;
    };
    const mocked = (name, implementation) => {
      imports.wasi_snapshot_preview1[name] = (fd, ...rest) =>
        mock_fds.has(fd) ? implementation(fd, ...rest) : real[name](fd, ...rest);
    };

    mocked('sock_accept', (fd, _flags, result) => {
      const reply = call({ op: 'accept', fd });
      if (reply.errno === E.SUCCESS) {
        mock_fds.add(reply.fd);
        view().setUint32(result, reply.fd, true);
      }
      return reply.errno;
    });
    mocked('sock_recv', (fd, iovs, count, flags, result, out_flags) => {
      const errno = recv(fd, iovs, count, flags, result);
      if (errno === E.SUCCESS) {
        view().setUint16(out_flags, 0, true);
      }
      return errno;
    });
    mocked('sock_send', (fd, iovs, count, _flags, result) => send(fd, iovs, count, result));
    mocked('sock_shutdown', (fd, how) => call({ op: 'shutdown', fd, how }).errno);
    mocked('fd_read', (fd, iovs, count, result) => recv(fd, iovs, count, 0, result));
    mocked('fd_write', (fd, iovs, count, result) => send(fd, iovs, count, result));
    mocked('fd_close', (fd) => {
      mock_fds.delete(fd);
      return call({ op: 'close', fd }).errno;
    });
    mocked('fd_fdstat_get', (fd, result) => {
      const v = view();
      v.setUint8(result, FILETYPE_SOCKET_STREAM);
      v.setUint16(result + 2, FDFLAGS_NONBLOCK, true);
      v.setBigUint64(result + 8, 0xffffffffn, true);
      v.setBigUint64(result + 16, 0xffffffffn, true);
      return E.SUCCESS;
    });
    mocked('fd_fdstat_set_flags', () => E.SUCCESS);

    // Subscription: userdata u64 @0, tag u8 @8, then the clock (id u32 @16, timeout u64 @24) or
    // the descriptor (u32 @16); 48 bytes. Event: userdata u64 @0, error u16 @8, type u8 @10,
    // nbytes u64 @16, flags u16 @24; 32 bytes.
    imports.wasi_snapshot_preview1.poll_oneoff = (input, output, count, result) => {
      const v = view();
      const subscriptions = [];
      for (let i = 0; i < count; ++i) {
        const base = input + 48 * i;
        const type = v.getUint8(base + 8);
        const subscription = { userdata: v.getBigUint64(base, true), type };
        if (type === EVENTTYPE.CLOCK) {
          subscription.timeout = v.getBigUint64(base + 24, true);
        } else {
          subscription.fd = v.getUint32(base + 16, true);
          subscription.known = mock_fds.has(subscription.fd);
        }
        subscriptions.push(subscription);
      }
      if (!subscriptions.some((subscription) => subscription.known)) {
        return real.poll_oneoff(input, output, count, result);
      }
      const reply = call({ op: 'poll', subscriptions });
      const w = view();
      reply.events.forEach((event, i) => {
        const base = output + 32 * i;
        new Uint8Array(memory.buffer, base, 32).fill(0);
        w.setBigUint64(base, event.userdata, true);
        w.setUint16(base + 8, event.error, true);
        w.setUint8(base + 10, event.type);
        w.setUint16(base + 24, event.flags, true);
      });
      w.setUint32(result, reply.events.length, true);
      return reply.errno;
    };
  }

  const module = await WebAssembly.compile(readFileSync(path));
  const instance = await WebAssembly.instantiate(module, imports);
  memory = instance.exports.memory;
  const exit_code = wasi.start(instance);
  port.close();
  parentPort.postMessage({ exit_code });
}

// Last, once every class above is defined.
if (isMainThread) {
  await main();
} else {
  await run_module();
}
