#pragma once
// A throwaway certificate authority for TLS tests, made in `dir` with the openssl tool (Debian
// package openssl, installed by scripts/install-deps.sh; missing, the test that needs it fails):
// a CA, a server certificate (for 127.0.0.1 and localhost unless told), and a client certificate, both signed
// by that CA, all EC P-256 keys valid for two days.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace medicall::test {

class TestCertificates {
 public:
  // `serverNames`: the server certificate's subjectAltName entries.
  explicit TestCertificates(const std::filesystem::path& dir,
                            const std::string& serverNames = "IP:127.0.0.1,DNS:localhost")
      : dir_(dir) {
    std::filesystem::create_directories(dir_);
    Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             Path("ca.key"), "-out", CaFile(), "-subj", "/CN=MediCall test CA " + dir_.filename().string(),
             "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign"});
    Leaf("server", "redis", "subjectAltName=" + serverNames + "\nextendedKeyUsage=serverAuth\n", 2);
    Leaf("client", "medicall-node", "extendedKeyUsage=clientAuth\n", 3);
  }

  std::string CaFile() const { return Path("ca.crt"); }
  std::string ServerCert() const { return Path("server.crt"); }
  std::string ServerKey() const { return Path("server.key"); }
  std::string ClientCert() const { return Path("client.crt"); }
  std::string ClientKey() const { return Path("client.key"); }

 private:
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  void Leaf(const std::string& name, const std::string& commonName, const std::string& extensions,
            int serial) {
    std::ofstream(Path(name + ".ext")) << extensions;
    Openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             Path(name + ".key"), "-out", Path(name + ".csr"), "-subj", "/CN=" + commonName});
    Openssl({"x509", "-req", "-in", Path(name + ".csr"), "-CA", CaFile(), "-CAkey", Path("ca.key"),
             "-set_serial", std::to_string(serial), "-days", "2", "-out", Path(name + ".crt"), "-extfile",
             Path(name + ".ext")});
  }

  // Runs the openssl tool (no shell), its output in openssl.log; throws when it fails.
  void Openssl(std::vector<std::string> args) const {
    const std::string binary = "/usr/bin/openssl";
    if (!std::filesystem::exists(binary))
      throw std::runtime_error(
          "the openssl tool is not installed (apt-get install openssl; scripts/install-deps.sh)");
    args.insert(args.begin(), binary);
    const std::string log = Path("openssl.log");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      if (std::FILE* out = std::freopen(log.c_str(), "a", stdout)) ::dup2(::fileno(out), STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw std::runtime_error("openssl " + args[1] + " failed (see " + log + ")");
  }

  std::filesystem::path dir_;
};

}  // namespace medicall::test
