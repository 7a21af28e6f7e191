#include "common/LibraryInit.hpp"

#include <mutex>
#include <openssl/ssl.h>
#include <srtp2/srtp.h>
#include <stdexcept>

namespace medicall {

void InitLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr) != 1)
      throw std::runtime_error("OpenSSL initialisation failed");
    if (srtp_init() != srtp_err_status_ok) throw std::runtime_error("libsrtp2 initialisation failed");
  });
}

}  // namespace medicall
