#pragma once
// The HTTPS port's certificate: a certificate chain and private key read from PEM files and
// checked (a file that cannot be read, holds no PEM, or a key that does not match stops the server
// at start with a message naming the setting; on SIGHUP the old pair stays), or a self-signed
// certificate for this machine's addresses, kept in the data directory for trying MediCall on a
// LAN with a phone.
#include <string>
#include <vector>

namespace medicall::app {

struct TlsCredentials {
  std::string certificateChainPem;
  std::string privateKeyPem;
  std::string fingerprintSha256;   // of the leaf certificate, "AB:CD:..."
  std::vector<std::string> names;  // the leaf's subjectAltName entries (DNS names and IP addresses)
  std::string certificatePath, keyPath;

  // Reads and checks the pair. Throws std::runtime_error whose message starts with the setting
  // at fault (`certSetting` or `keySetting`).
  static TlsCredentials Load(const std::string& certificatePath, const std::string& keyPath,
                             const std::string& certSetting = "MEDICALL_TLS_CERT",
                             const std::string& keySetting = "MEDICALL_TLS_KEY");
  // <dataDir>/tls/self-signed.{crt,key}: reused while it names every one of `hosts` and is valid for
  // 30 more days, else made anew (ECDSA P-256, one year, localhost and `hosts` as names).
  static TlsCredentials SelfSigned(const std::string& dataDir, const std::vector<std::string>& hosts);
};

}  // namespace medicall::app
