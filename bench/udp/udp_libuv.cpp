// libuv's receiver: a uv_udp_t opened with UV_UDP_RECVMMSG, so that libuv reads with recvmmsg.
// libuv owns the reading: on each readable event (level-triggered epoll) it asks the alloc
// callback for a buffer, cuts it into 64 KiB chunks, one per datagram, receives into as many as
// it takes per call (at most 20 in libuv 1.44), calls the receive callback once per datagram and
// once more to hand the buffer back, and goes on until EAGAIN or 32 datagrams. The alloc callback
// answers with room for the 32 slots every batched receiver has here.
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "workload.hpp"

namespace {

struct Receiver {
  uv_udp_t handle{};
  std::vector<std::byte> buffer = std::vector<std::byte>(udp::batch * udp::slot_size);
  udp::Tally* tally = nullptr;
};

Receiver& receiver_of(uv_handle_t* handle) {
  return *static_cast<Receiver*>(handle->data);
}

void on_alloc(uv_handle_t* handle, std::size_t /*suggested*/, uv_buf_t* out) {
  std::vector<std::byte>& buffer = receiver_of(handle).buffer;
  *out =
      uv_buf_init(reinterpret_cast<char*>(buffer.data()), static_cast<unsigned int>(buffer.size()));
}

void on_receive(uv_udp_t* handle, ::ssize_t size, const uv_buf_t* /*buffer*/,
                const ::sockaddr* from, unsigned /*flags*/) {
  if (size < 0) {
    std::fprintf(stderr, "udp_libuv: %s\n", uv_strerror(static_cast<int>(size)));
    std::exit(1);
  }
  if (from == nullptr) {
    return;  // EAGAIN, or the buffer handed back after a recvmmsg (UV_UDP_MMSG_FREE)
  }
  Receiver& receiver = receiver_of(reinterpret_cast<uv_handle_t*>(handle));
  receiver.tally->count(static_cast<std::size_t>(size));
  if (receiver.tally->publish()) {
    receiver.tally->report();
    uv_udp_recv_stop(handle);  // also ends the recvmmsg batch being handed out
    uv_stop(handle->loop);
  }
}

void check(int result, const char* what) {
  if (result < 0) {
    std::fprintf(stderr, "udp_libuv: %s: %s\n", what, uv_strerror(result));
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const udp::Options options = udp::parse(argc, argv);
  udp::receive_only(options, udp::Way::batched, "udp_libuv");
  uv_loop_t* loop = uv_default_loop();
  Receiver receiver;
  receiver.handle.data = &receiver;
  check(uv_udp_init_ex(loop, &receiver.handle, AF_INET | UV_UDP_RECVMMSG), "uv_udp_init_ex");
  const ::sockaddr_in address = udp::loopback(0);
  check(uv_udp_bind(&receiver.handle, reinterpret_cast<const ::sockaddr*>(&address), 0),
        "uv_udp_bind");
  if (uv_udp_using_recvmmsg(&receiver.handle) == 0) {
    std::fprintf(stderr, "udp_libuv: this libuv does not use recvmmsg\n");
    return 1;
  }
  uv_os_fd_t fd = -1;
  check(uv_fileno(reinterpret_cast<uv_handle_t*>(&receiver.handle), &fd), "uv_fileno");
  udp::enlarge_receive_buffer(fd);
  check(uv_udp_recv_start(&receiver.handle, on_alloc, on_receive), "uv_udp_recv_start");
  udp::Tally tally(options);
  receiver.tally = &tally;
  udp::announce("libuv", udp::local_port(fd), uv_version_string());
  tally.wait_for_go();
  uv_run(loop, UV_RUN_DEFAULT);
}
