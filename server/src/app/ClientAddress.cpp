#include "app/ClientAddress.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace medicall::app {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// An IPv4 or IPv6 literal to bytes; IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as IPv4.
bool ToBytes(std::string_view text, bool& ipv6, std::array<uint8_t, 16>& bytes) {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (text.empty() || text.size() >= sizeof(buffer)) return false;
  std::memcpy(buffer, text.data(), text.size());
  bytes.fill(0);
  if (inet_pton(AF_INET, buffer, bytes.data()) == 1) {
    ipv6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buffer, bytes.data()) != 1) return false;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(bytes.data(), kMapped, 12) == 0) {
    std::memmove(bytes.data(), bytes.data() + 12, 4);
    std::fill(bytes.begin() + 4, bytes.end(), 0);
    ipv6 = false;
    return true;
  }
  ipv6 = true;
  return true;
}

// One node of a Forwarded "for=" or an X-Forwarded-For entry to a bare address: strips quotes,
// [brackets] and a port. Empty for "unknown" and obfuscated identifiers.
std::string NodeAddress(std::string_view node) {
  node = Trim(node);
  if (node.size() >= 2 && node.front() == '"' && node.back() == '"') node = node.substr(1, node.size() - 2);
  if (!node.empty() && node.front() == '[') {
    const auto close = node.find(']');
    return close == std::string_view::npos ? std::string() : std::string(node.substr(1, close - 1));
  }
  // IPv4 with a port ("192.0.2.1:4711"): exactly one colon.
  if (std::count(node.begin(), node.end(), ':') == 1) node = node.substr(0, node.find(':'));
  return std::string(node);
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const auto end = s.find(sep, start);
    out.emplace_back(
        Trim(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// The chain of client addresses, nearest proxy last. Forwarded (RFC 7239 section 4) wins over
// X-Forwarded-For when both are present.
std::vector<std::string> ForwardedChain(const HttpRequest& request) {
  std::vector<std::string> chain;
  if (const std::string* forwarded = request.Header("forwarded")) {
    for (const std::string& element : Split(*forwarded, ',')) {
      std::string address;
      for (const std::string& pair : Split(element, ';')) {
        if (pair.size() > 4 &&
            (pair.rfind("for=", 0) == 0 || pair.rfind("For=", 0) == 0 || pair.rfind("FOR=", 0) == 0))
          address = NodeAddress(std::string_view(pair).substr(4));
      }
      chain.push_back(address);
    }
    return chain;
  }
  if (const std::string* xff = request.Header("x-forwarded-for")) {
    for (const std::string& entry : Split(*xff, ',')) chain.push_back(NodeAddress(entry));
  }
  return chain;
}

}  // namespace

bool ClientAddress::Network::Contains(std::string_view address) const {
  bool v6 = false;
  std::array<uint8_t, 16> b{};
  if (!ToBytes(address, v6, b) || v6 != ipv6) return false;
  unsigned bits = prefix;
  for (size_t i = 0; i < 16 && bits > 0; ++i) {
    const unsigned take = std::min(bits, 8u);
    const auto mask = static_cast<uint8_t>(0xFF << (8 - take));
    if ((b[i] & mask) != (bytes[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

std::optional<std::vector<ClientAddress::Network>> ClientAddress::ParseList(std::string_view list,
                                                                            std::string* error) {
  std::vector<Network> out;
  for (const std::string& item : Split(list, ',')) {
    if (item.empty()) continue;
    Network n;
    std::string_view address = item;
    std::optional<unsigned> prefix;
    if (const auto slash = item.find('/'); slash != std::string::npos) {
      address = std::string_view(item).substr(0, slash);
      unsigned p = 0;
      const auto text = std::string_view(item).substr(slash + 1);
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
      if (ec != std::errc{} || end != text.data() + text.size()) {
        if (error) *error = "bad prefix length in \"" + item + "\"";
        return std::nullopt;
      }
      prefix = p;
    }
    if (!ToBytes(address, n.ipv6, n.bytes)) {
      if (error) *error = "\"" + item + "\" is not an IP address or CIDR block";
      return std::nullopt;
    }
    const unsigned maxPrefix = n.ipv6 ? 128 : 32;
    n.prefix = prefix.value_or(maxPrefix);
    if (n.prefix > maxPrefix) {
      if (error) *error = "prefix too long in \"" + item + "\"";
      return std::nullopt;
    }
    out.push_back(n);
  }
  return out;
}

ClientAddress::ClientAddress(std::vector<Network> trustedProxies, bool behindProxy)
    : trusted_(std::move(trustedProxies)), behindProxy_(behindProxy) {}

bool ClientAddress::IsTrusted(std::string_view address) const {
  return std::any_of(trusted_.begin(), trusted_.end(), [&](const Network& n) { return n.Contains(address); });
}

bool ClientAddress::Resolve(HttpRequest& request) const {
  if (behindProxy_) request.remoteIsLoopback = false;
  if (!IsTrusted(request.remoteAddress)) return false;
  // From a trusted proxy: never loopback, and the client is the right-most untrusted hop.
  request.remoteIsLoopback = false;
  const std::vector<std::string> chain = ForwardedChain(request);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (it->empty()) break;  // "unknown" or obfuscated: stop believing the chain here
    if (!IsTrusted(*it)) {
      bool v6 = false;
      std::array<uint8_t, 16> b{};
      if (ToBytes(*it, v6, b)) request.remoteAddress = *it;
      break;
    }
  }
  return true;
}

}  // namespace medicall::app
