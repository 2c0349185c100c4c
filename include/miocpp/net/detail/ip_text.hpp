// Text forms of IP addresses, written out by hand so that parsing is strict, locale-free and the
// same on every platform (inet_pton differs between libcs on leading zeros and IPv4 suffixes).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace miocpp::net::detail {

/// One decimal part of a dotted quad: 1-3 digits, no leading zero, value <= 255.
constexpr bool parse_ipv4_octet(std::string_view text, std::uint8_t& octet) noexcept {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) {
    return false;
  }
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 255) {
    return false;
  }
  octet = static_cast<std::uint8_t>(value);
  return true;
}

/// Exactly "a.b.c.d". On failure `octets` is unspecified.
constexpr bool parse_ipv4(std::string_view text, std::array<std::uint8_t, 4>& octets) noexcept {
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t dot = text.find('.');
    const bool last = i == 3;
    if (last != (dot == std::string_view::npos)) {
      return false;
    }
    if (!parse_ipv4_octet(text.substr(0, dot), octets[i])) {
      return false;
    }
    text = last ? std::string_view() : text.substr(dot + 1);
  }
  return true;
}

constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/// One group of an IPv6 address: 1-4 hex digits.
constexpr bool parse_ipv6_group(std::string_view text, std::uint16_t& group) noexcept {
  if (text.empty() || text.size() > 4) {
    return false;
  }
  unsigned value = 0;
  for (const char c : text) {
    const int digit = hex_value(c);
    if (digit < 0) {
      return false;
    }
    value = value * 16 + static_cast<unsigned>(digit);
  }
  group = static_cast<std::uint16_t>(value);
  return true;
}

/// Parses the groups of one side of "::" (or the whole address when there is none) into
/// `groups`, allowing a trailing dotted quad when `allow_ipv4` is set (it counts as two groups).
/// Returns the number of groups, or -1.
constexpr int parse_ipv6_groups(std::string_view text, std::array<std::uint16_t, 8>& groups,
                                bool allow_ipv4) noexcept {
  if (text.empty()) {
    return 0;
  }
  int count = 0;
  for (;;) {
    const std::size_t colon = text.find(':');
    const std::string_view part = text.substr(0, colon);
    if (colon == std::string_view::npos && allow_ipv4 && part.find('.') != std::string_view::npos) {
      std::array<std::uint8_t, 4> octets{};
      if (count > 6 || !parse_ipv4(part, octets)) {
        return -1;
      }
      groups[static_cast<std::size_t>(count++)] =
          static_cast<std::uint16_t>(octets[0] << 8U | octets[1]);
      groups[static_cast<std::size_t>(count++)] =
          static_cast<std::uint16_t>(octets[2] << 8U | octets[3]);
      return count;
    }
    if (count == 8 || !parse_ipv6_group(part, groups[static_cast<std::size_t>(count)])) {
      return -1;
    }
    ++count;
    if (colon == std::string_view::npos) {
      return count;
    }
    text = text.substr(colon + 1);
  }
}

/// RFC 4291 section 2.2 text forms. On failure `octets` is unspecified.
constexpr bool parse_ipv6(std::string_view text, std::array<std::uint8_t, 16>& octets) noexcept {
  std::array<std::uint16_t, 8> head{};
  std::array<std::uint16_t, 8> tail{};
  int head_count = 0;
  int tail_count = 0;
  const std::size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    head_count = parse_ipv6_groups(text, head, true);
    if (head_count != 8) {
      return false;
    }
  } else {
    const std::string_view before = text.substr(0, gap);
    const std::string_view after = text.substr(gap + 2);
    if (after.find("::") != std::string_view::npos) {
      return false;
    }
    head_count = parse_ipv6_groups(before, head, false);
    tail_count = parse_ipv6_groups(after, tail, true);
    // "::" stands for at least one zero group.
    if (head_count < 0 || tail_count < 0 || head_count + tail_count > 7) {
      return false;
    }
  }
  std::array<std::uint16_t, 8> groups{};
  for (int i = 0; i < head_count; ++i) {
    groups[static_cast<std::size_t>(i)] = head[static_cast<std::size_t>(i)];
  }
  for (int i = 0; i < tail_count; ++i) {
    groups[static_cast<std::size_t>(8 - tail_count + i)] = tail[static_cast<std::size_t>(i)];
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    octets[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8U);
    octets[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xffU);
  }
  return true;
}

inline std::string format_ipv4(const std::array<std::uint8_t, 4>& octets) {
  std::string text;
  text.reserve(15);
  for (std::size_t i = 0; i < octets.size(); ++i) {
    if (i != 0) {
      text += '.';
    }
    text += std::to_string(octets[i]);
  }
  return text;
}

inline std::string format_ipv6(const std::array<std::uint8_t, 16>& octets) {
  std::array<std::uint16_t, 8> groups{};
  for (std::size_t i = 0; i < groups.size(); ++i) {
    groups[i] = static_cast<std::uint16_t>(octets[2 * i] << 8U | octets[2 * i + 1]);
  }
  // IPv4-mapped addresses keep their dotted quad (RFC 5952 section 5).
  if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0 &&
      groups[5] == 0xffff) {
    return "::ffff:" + format_ipv4({octets[12], octets[13], octets[14], octets[15]});
  }
  // The longest run of two or more zero groups becomes "::"; the first such run on a tie.
  std::size_t best_start = groups.size();
  std::size_t best_length = 1;
  for (std::size_t i = 0; i < groups.size();) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < groups.size() && groups[end] == 0) {
      ++end;
    }
    if (end - i > best_length) {
      best_start = i;
      best_length = end - i;
    }
    i = end;
  }
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string text;
  text.reserve(39);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i == best_start) {
      text += "::";
      i += best_length - 1;
      continue;
    }
    if (!text.empty() && text.back() != ':') {
      text += ':';
    }
    bool leading = true;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const auto nibble =
          static_cast<std::size_t>((groups[i] >> static_cast<unsigned>(shift)) & 0xfU);
      if (nibble == 0 && leading && shift != 0) {
        continue;
      }
      leading = false;
      text += digits[nibble];
    }
  }
  return text;
}

}  // namespace miocpp::net::detail
