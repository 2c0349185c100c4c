// Counting this process's open descriptors (POSIX) or kernel handles (Windows), and the checks
// that fail a test which leaves some open (or closes some it did not open).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>

#include <gtest/gtest.h>

#include <miocpp/miocpp.hpp>

#if MIOCPP_OS_WINDOWS
#include <miocpp/sys/windows/windows.hpp>
#endif

namespace test {

#if MIOCPP_OS_WINDOWS
namespace detail {

/// Whether a handle's object type is one miocpp makes: a File (sockets, AFD helpers, named pipes)
/// or an IoCompletion (completion ports). The runtime's own handles (threads, events, semaphores
/// that winpthreads creates on first contention or for an exception's message and never closes)
/// are not counted: they are not miocpp's to leak.
inline bool is_counted_type(HANDLE handle) {
  using Query = LONG(WINAPI*)(HANDLE, ULONG, void*, ULONG, ULONG*);
  static const Query query = reinterpret_cast<Query>(  // NOLINT(*-reinterpret-cast)
      reinterpret_cast<void*>(                         // NOLINT(*-reinterpret-cast)
          ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQueryObject")));
  constexpr ULONG object_type_information = 2;
  // OBJECT_TYPE_INFORMATION starts with the type's name as a UNICODE_STRING.
  struct Name {
    USHORT length;
    USHORT maximum_length;
    const wchar_t* buffer;
  };
  alignas(8) std::array<unsigned char, 1024> info{};
  ULONG length = 0;
  if (query == nullptr || query(handle, object_type_information, info.data(),
                                static_cast<ULONG>(info.size()), &length) < 0) {
    return false;
  }
  Name name{};
  std::memcpy(&name, info.data(), sizeof name);
  const std::wstring_view type(name.buffer, name.length / sizeof(wchar_t));
  return type == L"File" || type == L"IoCompletion";
}

/// Counts this process's open File and IoCompletion handles by asking every handle value in turn
/// whether it is open (GetHandleInformation). The system's handle table would say it at once
/// (NtQuerySystemInformation), but wine's server crashes when processes ask for it while others
/// start and exit. Handle values are multiples of 4, handed out lowest free first; the scan stops
/// after a long run of unused values past the last open one.
inline std::size_t count_own_handles() {
  constexpr std::uintptr_t step = 4;
  constexpr std::uintptr_t unused_run = 1024 * step;
  std::size_t count = 0;
  std::uintptr_t last_open = 0;
  for (std::uintptr_t value = step; value < last_open + unused_run; value += step) {
    const auto handle = reinterpret_cast<HANDLE>(value);  // NOLINT(*-reinterpret-cast)
    DWORD flags = 0;
    if (::GetHandleInformation(handle, &flags) == 0) {
      continue;
    }
    last_open = value;
    count += is_counted_type(handle) ? 1U : 0U;
  }
  return count;
}

}  // namespace detail
#endif

/// POSIX: the number of entries in /proc/self/fd (Linux) or /dev/fd (BSDs, macOS).
/// Windows: the number of File and IoCompletion handles this process has open
/// (GetProcessHandleCount would be simpler, but wine answers it with 0, and it counts the runtime's
/// own handles too). Every socket, completion port and AFD helper is one of those, so a leak of any
/// of them shows. The first socket, the first completion port, the first AFD poll and the first
/// thread each leave a handle of the runtime's behind (wine's, at least) that stays open for good;
/// a Poll with a registered socket, polled once, and a thread are made and dropped before the first
/// count, so that those one-time handles are not taken for a leak.
inline std::size_t open_descriptor_count() {
#if MIOCPP_OS_WINDOWS
  static const bool primed = [] {
    std::error_code ec;
    miocpp::Poll poll(ec);
    miocpp::net::UdpSocket socket =
        miocpp::net::UdpSocket::bind({miocpp::net::Ipv4Addr::localhost(), 0}, ec);
    poll.registry().register_source(socket, miocpp::Token{0}, miocpp::Interest::readable, ec);
    miocpp::Events events(4);
    poll.poll(events, std::chrono::milliseconds(0), ec);
    std::thread([] {}).join();
    return true;
  }();
  (void)primed;
  return detail::count_own_handles();
#else
  const std::filesystem::path dir =
      std::filesystem::exists("/proc/self/fd") ? "/proc/self/fd" : "/dev/fd";
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++count;
  }
  return count;
#endif
}

/// Fails the running test if, when it goes out of scope, more or fewer descriptors are open than
/// when it was created. Declare it first in a test so that it is destroyed last.
class DescriptorLeakCheck {
 public:
  DescriptorLeakCheck() : before_(open_descriptor_count()) {}
  DescriptorLeakCheck(const DescriptorLeakCheck&) = delete;
  DescriptorLeakCheck& operator=(const DescriptorLeakCheck&) = delete;
  ~DescriptorLeakCheck() {
    EXPECT_EQ(open_descriptor_count(), before_)
        << "the test left descriptors open (or closed some)";
  }

 private:
  std::size_t before_;
};

/// The fixture of a test that must leave the descriptors as it found them: a DescriptorLeakCheck
/// from SetUp to TearDown, which runs after the test body's locals are gone.
template <class Base = ::testing::Test>
class LeakChecked : public Base {
 protected:
  void SetUp() override { check_.emplace(); }
  void TearDown() override { check_.reset(); }

 private:
  std::optional<DescriptorLeakCheck> check_;
};

}  // namespace test
