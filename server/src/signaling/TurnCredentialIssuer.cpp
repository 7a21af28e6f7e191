#include "signaling/TurnCredentialIssuer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

namespace medicall::signaling {

TurnCredentialIssuer::TurnCredentialIssuer(std::vector<std::string> uris, std::string secret,
                                           uint32_t ttlSeconds, const Clock& clock)
    : uris_(std::move(uris)), secret_(std::move(secret)), ttlSeconds_(ttlSeconds), clock_(clock) {}

TurnCredentials TurnCredentialIssuer::Issue(std::string_view attendeeId) const {
  const int64_t expiry = clock_.WallNowUs() / 1'000'000 + ttlSeconds_;
  TurnCredentials c;
  c.username = std::to_string(expiry) + ":" + std::string(attendeeId);
  c.password = Password(secret_, c.username);
  c.ttlSeconds = ttlSeconds_;
  c.uris = uris_;
  return c;
}

std::string TurnCredentialIssuer::Password(std::string_view secret, std::string_view username) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLength = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(username.data()), username.size(), mac, &macLength);
  std::string out(4 * ((macLength + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(macLength));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string TurnCredentialIssuer::Validate(std::string_view uri) {
  std::string_view rest;
  if (uri.rfind("turn:", 0) == 0) {
    rest = uri.substr(5);
  } else if (uri.rfind("turns:", 0) == 0) {
    rest = uri.substr(6);
  } else {
    return "must start with turn: or turns:";
  }
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (!query.empty() && query != "transport=udp" && query != "transport=tcp")
    return "the only query allowed is ?transport=udp or ?transport=tcp";
  std::string_view host = rest;
  std::string_view port;
  bool hasPort = false;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return "unterminated [IPv6] host";
    host = rest.substr(1, close - 1);
    const auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "junk after [IPv6] host";
      port = after.substr(1);
      hasPort = true;
    }
    for (char c : host)
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return "bad IPv6 host";
  } else {
    if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      hasPort = true;
    }
    for (char c : host)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return "bad host name";
  }
  if (host.empty() || host.size() > 253) return "no host";
  if (hasPort) {
    if (port.empty() || port.size() > 5) return "bad port";
    unsigned value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return "bad port";
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return "bad port";
  }
  return {};
}

}  // namespace medicall::signaling
