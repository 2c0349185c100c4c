// Prints a backend's raw flag word by name, for Event's operator<<.
#pragma once

#include <initializer_list>
#include <ostream>

namespace miocpp::sys::common {

struct FlagName {
  unsigned long long value;
  const char* name;
};

/// Writes the names of the set flags joined by " | ", then any bits without a name in hex.
inline void print_flags(std::ostream& os, unsigned long long bits,
                        std::initializer_list<FlagName> names) {
  const char* separator = "";
  for (const FlagName& flag : names) {
    if (flag.value != 0 && (bits & flag.value) == flag.value) {
      os << separator << flag.name;
      separator = " | ";
      bits &= ~flag.value;
    }
  }
  if (bits != 0) {
    const auto old_flags = os.flags();
    os << separator << "0x" << std::hex << bits;
    os.flags(old_flags);
  } else if (*separator == '\0') {
    os << '0';
  }
}

}  // namespace miocpp::sys::common
