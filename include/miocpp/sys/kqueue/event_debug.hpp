// A kevent in words, for Event::debug_details: its filter, flags and fflags by name. Most names
// exist only on some systems, hence one #if per name.
#pragma once

#include <cstddef>
#include <ostream>

#include "../common/debug_flags.hpp"
#include "kevent.hpp"

namespace miocpp::sys::kqueue {

inline void print_kevent_filter(std::ostream& os, const KEvent& record) {
  struct Name {
    long long filter;
    const char* name;
  };
  // One filter per line, most only where the system defines them.
  // clang-format off
  static constexpr Name names[] = {  // NOLINT(*-avoid-c-arrays): a constant table
    {EVFILT_READ, "EVFILT_READ"},
    {EVFILT_WRITE, "EVFILT_WRITE"},
#if defined(EVFILT_AIO)
    {EVFILT_AIO, "EVFILT_AIO"},
#endif
#if defined(EVFILT_VNODE)
    {EVFILT_VNODE, "EVFILT_VNODE"},
#endif
#if defined(EVFILT_PROC)
    {EVFILT_PROC, "EVFILT_PROC"},
#endif
#if defined(EVFILT_SIGNAL)
    {EVFILT_SIGNAL, "EVFILT_SIGNAL"},
#endif
#if defined(EVFILT_TIMER)
    {EVFILT_TIMER, "EVFILT_TIMER"},
#endif
#if defined(EVFILT_PROCDESC)
    {EVFILT_PROCDESC, "EVFILT_PROCDESC"},
#endif
#if defined(EVFILT_FS)
    {EVFILT_FS, "EVFILT_FS"},
#endif
#if defined(EVFILT_LIO)
    {EVFILT_LIO, "EVFILT_LIO"},
#endif
#if defined(EVFILT_USER)
    {EVFILT_USER, "EVFILT_USER"},
#endif
#if defined(EVFILT_SENDFILE)
    {EVFILT_SENDFILE, "EVFILT_SENDFILE"},
#endif
#if defined(EVFILT_EMPTY)
    {EVFILT_EMPTY, "EVFILT_EMPTY"},
#endif
#if defined(EVFILT_EXCEPT)
    {EVFILT_EXCEPT, "EVFILT_EXCEPT"},
#endif
#if defined(EVFILT_MACHPORT)
    {EVFILT_MACHPORT, "EVFILT_MACHPORT"},
#endif
#if defined(EVFILT_VM)
    {EVFILT_VM, "EVFILT_VM"},
#endif
  };
  // clang-format on
  for (const Name& entry : names) {
    if (is_kevent_filter(record, entry.filter)) {
      os << entry.name;
      return;
    }
  }
  os << static_cast<long long>(record.filter);
}

inline void print_kevent_flags(std::ostream& os, const KEvent& record) {
  // One flag per line, some only where the system defines them.
  // clang-format off
  common::print_flags(os, static_cast<unsigned long long>(record.flags), {
      {EV_ADD, "EV_ADD"},
      {EV_DELETE, "EV_DELETE"},
      {EV_ENABLE, "EV_ENABLE"},
      {EV_DISABLE, "EV_DISABLE"},
      {EV_ONESHOT, "EV_ONESHOT"},
      {EV_CLEAR, "EV_CLEAR"},
      {EV_RECEIPT, "EV_RECEIPT"},
      {EV_DISPATCH, "EV_DISPATCH"},
#if defined(EV_DROP)
      {EV_DROP, "EV_DROP"},
#endif
#if defined(EV_KEEPUDATA)
      {EV_KEEPUDATA, "EV_KEEPUDATA"},
#endif
#if defined(EV_POLL)
      {EV_POLL, "EV_POLL"},
#endif
#if defined(EV_OOBAND)
      {EV_OOBAND, "EV_OOBAND"},
#endif
#if defined(EV_NODATA)
      {EV_NODATA, "EV_NODATA"},
#endif
#if defined(EV_FLAG0)
      {EV_FLAG0, "EV_FLAG0"},
#endif
#if defined(EV_FLAG1)
      {EV_FLAG1, "EV_FLAG1"},
#endif
      {EV_ERROR, "EV_ERROR"},
      {EV_EOF, "EV_EOF"},
  });
  // clang-format on
}

/// fflags mean something different per filter: NOTE_* bits for EVFILT_USER, the socket error
/// (an errno) for a read or write filter with EV_EOF.
inline void print_kevent_fflags(std::ostream& os, const KEvent& record) {
#if defined(EVFILT_USER) && defined(NOTE_TRIGGER)
  if (is_kevent_filter(record, EVFILT_USER)) {
    common::print_flags(os, record.fflags, {{NOTE_TRIGGER, "NOTE_TRIGGER"}});
    return;
  }
#endif
  os << record.fflags;
}

/// The whole record, with `udata` as the token it carries.
inline void print_kevent(std::ostream& os, const KEvent& record) {
  os << "kevent { ident: " << record.ident << ", filter: ";
  print_kevent_filter(os, record);
  os << ", flags: ";
  print_kevent_flags(os, record);
  os << ", fflags: ";
  print_kevent_fflags(os, record);
  os << ", data: " << static_cast<long long>(record.data)
     << ", udata: " << static_cast<std::size_t>(kevent_user_data(record)) << " }";
}

}  // namespace miocpp::sys::kqueue
