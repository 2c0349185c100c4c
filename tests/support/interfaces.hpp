// Network interfaces by kind, for the multicast tests: the index of the loopback interface and of
// an interface that is up and does multicast. getifaddrs on POSIX, GetAdaptersAddresses on
// Windows (the test links iphlpapi there).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <miocpp/config.hpp>

#if MIOCPP_OS_WINDOWS
#include <miocpp/sys/windows/windows.hpp>
// clang-format off
#include <iphlpapi.h>
// clang-format on
#else
#include <ifaddrs.h>

#include <net/if.h>
#endif

namespace test {

enum class InterfaceKind {
  loopback,            // the loopback interface, up
  multicast_external,  // any other interface that is up and does multicast
};

/// The index of the first interface of `kind`, if there is one.
inline std::optional<std::uint32_t> find_interface(InterfaceKind kind) {
  std::optional<std::uint32_t> found;
#if MIOCPP_OS_WINDOWS
  ULONG size = 16 * 1024;
  std::vector<unsigned char> storage;
  ULONG result = ERROR_BUFFER_OVERFLOW;
  for (int attempt = 0; attempt < 3 && result == ERROR_BUFFER_OVERFLOW; ++attempt) {
    storage.resize(size);
    result = ::GetAdaptersAddresses(
        AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_DNS_SERVER, nullptr,
        reinterpret_cast<IP_ADAPTER_ADDRESSES*>(storage.data()),  // NOLINT(*-reinterpret-cast)
        &size);
  }
  if (result != NO_ERROR) {
    return found;
  }
  for (auto* adapter = reinterpret_cast<const IP_ADAPTER_ADDRESSES*>(
           storage.data());  // NOLINT(*-reinterpret-cast)
       adapter != nullptr && !found; adapter = adapter->Next) {
    const bool loopback = adapter->IfType == IF_TYPE_SOFTWARE_LOOPBACK;
    const bool up = adapter->OperStatus == IfOperStatusUp;
    const bool multicast = (adapter->Flags & IP_ADAPTER_NO_MULTICAST) == 0;
    const bool wanted = kind == InterfaceKind::loopback ? loopback : !loopback && multicast;
    const std::uint32_t index = adapter->Ipv6IfIndex != 0 ? adapter->Ipv6IfIndex : adapter->IfIndex;
    if (up && wanted && index != 0) {
      found = index;
    }
  }
#else
  const unsigned wanted =
      kind == InterfaceKind::loopback ? (IFF_LOOPBACK | IFF_UP) : (IFF_UP | IFF_MULTICAST);
  const unsigned unwanted = kind == InterfaceKind::loopback ? 0U : unsigned{IFF_LOOPBACK};
  ::ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return found;
  }
  for (const ::ifaddrs* entry = list; entry != nullptr && !found; entry = entry->ifa_next) {
    if ((entry->ifa_flags & wanted) == wanted && (entry->ifa_flags & unwanted) == 0) {
      const unsigned index = ::if_nametoindex(entry->ifa_name);
      if (index != 0) {
        found = index;
      }
    }
  }
  ::freeifaddrs(list);
#endif
  return found;
}

inline std::optional<std::uint32_t> loopback_interface() {
  return find_interface(InterfaceKind::loopback);
}

}  // namespace test
