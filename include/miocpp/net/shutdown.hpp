// Shutdown: which half of a stream socket to close.
#pragma once

namespace miocpp::net {

/// For TcpStream::shutdown and UnixStream::shutdown.
enum class Shutdown {
  read,   // no more reads: further reads return 0
  write,  // no more writes: the peer reads end-of-stream (FIN)
  both,
};

}  // namespace miocpp::net
