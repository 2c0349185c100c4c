// Socket options, refused: for backends that cannot set one (the shell, and WASI preview1, which
// has no call for socket options).
#pragma once

#include <system_error>

#include "../common/option_encoding.hpp"
#include "../option.hpp"

namespace miocpp::sys::unsupported {

template <class Tag>
using AbsentOption = common::encoding::Absent<int, Tag>;

/// concepts::SocketOptions where every option is std::errc::not_supported.
using SocketOptions = common::encoding::OptionCalls<AbsentOption, int>;

}  // namespace miocpp::sys::unsupported
