// Asio's receiver, in its own (completion) model: async_receive_from of one datagram into one
// 64 KiB buffer, and from its handler the next. Asio tries each receive at once and waits for
// its (edge-triggered) epoll only on EAGAIN, so a queue is read one datagram per call and
// completion, as the recvfrom twin reads it. The first receive starts after the go signal: Asio
// would try it at once.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <asio.hpp>

#include "workload.hpp"

namespace {

namespace ip = asio::ip;

class Receiver {
 public:
  Receiver(ip::udp::socket& socket, udp::Tally& tally) : socket_(socket), tally_(tally) {}

  void receive() {
    socket_.async_receive_from(asio::buffer(buffer_), from_,
                               [this](std::error_code ec, std::size_t size) {
                                 if (ec) {
                                   udp::fail("async_receive_from", ec);
                                 }
                                 tally_.count(size);
                                 if (tally_.publish()) {
                                   tally_.report();
                                   return;  // nothing more to wait for: run() returns
                                 }
                                 receive();
                               });
  }

 private:
  ip::udp::socket& socket_;
  udp::Tally& tally_;
  std::vector<std::byte> buffer_ = std::vector<std::byte>(udp::slot_size);
  ip::udp::endpoint from_;
};

}  // namespace

int main(int argc, char** argv) {
  const udp::Options options = udp::parse(argc, argv);
  udp::receive_only(options, udp::Way::one_by_one, "udp_asio");
  // One thread runs the context: the hint lets Asio skip work meant for several.
  asio::io_context context(1);
  ip::udp::socket socket(context, ip::udp::endpoint(ip::address_v4::loopback(), 0));
  udp::enlarge_receive_buffer(socket.native_handle());
  udp::Tally tally(options);
  Receiver receiver(socket, tally);
  udp::announce("asio", socket.local_endpoint().port(),
                std::to_string(ASIO_VERSION / 100000) + "." +
                    std::to_string(ASIO_VERSION / 100 % 1000) + "." +
                    std::to_string(ASIO_VERSION % 100));
  tally.wait_for_go();
  receiver.receive();
  context.run();
}
