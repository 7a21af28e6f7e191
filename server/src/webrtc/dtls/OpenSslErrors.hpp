#pragma once
// OpenSSL's error queue as one line (drains it), for log lines and failure reasons of the DTLS module.
#include <openssl/err.h>

#include <string>

namespace medicall::webrtc::dtls {

inline std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace medicall::webrtc::dtls
