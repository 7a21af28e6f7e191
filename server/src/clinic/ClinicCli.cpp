#include "clinic/ClinicCli.hpp"

#include <map>
#include <string>
#include <vector>

#include "clinic/AuditLog.hpp"
#include "clinic/ClinicService.hpp"
#include "clinic/LinkSigner.hpp"
#include "common/Config.hpp"
#include "common/LibraryInit.hpp"
#include "clinic/ClinicBackend.hpp"

namespace medicall::clinic {

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  medicall user add --role admin|clinician --name \"Dr Jane Doe\" --email jane@example.org [--clinic "
    "slug]\n"
    "  medicall user list\n"
    "  medicall user disable --email jane@example.org\n"
    "  medicall audit verify\n"
    "(server settings such as --data-dir or MEDICALL_DATA_DIR apply too; with MEDICALL_REDIS_URL the\n"
    "commands act on the cluster's clinic in Redis, as its nodes do)\n";

std::string BaseUrl(const Config& config) {
  if (!config.publicUrl.empty()) {
    std::string url = config.publicUrl;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  return std::string(config.TlsEnabled() ? "https" : "http") + "://localhost:" + std::to_string(config.port);
}

}  // namespace

bool ClinicCli::IsCommand(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string command = argv[1];
  return command == "user" || command == "audit";
}

int ClinicCli::Run(int argc, char** argv, std::FILE* out, std::FILE* err) {
  if (argc < 3) {
    std::fputs(kUsage, err);
    return 2;
  }
  const std::string command = argv[1];
  const std::string sub = argv[2];
  // Our own flags; the rest goes to the server's configuration.
  static const char* kOwn[] = {"role", "name", "email", "clinic"};
  std::map<std::string, std::string> flags;
  std::vector<char*> rest = {argv[0]};
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    bool own = false;
    for (const char* f : kOwn) {
      const std::string flag = std::string("--") + f;
      if (arg == flag && i + 1 < argc) {
        flags[f] = argv[++i];
        own = true;
      } else if (arg.rfind(flag + "=", 0) == 0) {
        flags[f] = arg.substr(flag.size() + 1);
        own = true;
      }
    }
    if (!own) rest.push_back(argv[i]);
  }
  Config config;
  std::string error;
  bool wantHelp = false;
  if (!LoadConfig(static_cast<int>(rest.size()), rest.data(), config, error, wantHelp)) {
    std::fprintf(err, "medicall: %s\n%s", error.c_str(), kUsage);
    return 2;
  }
  if (wantHelp) {
    std::fputs(kUsage, out);
    return 0;
  }
  try {
    InitLibraries();
    const auto opened = ClinicBackend::OpenStore(config);
    store::ClinicStore& store = *opened;
    if (command == "audit" && sub == "verify") {
      const auto v = AuditLog::Verify(store);
      if (v.ok) {
        std::fprintf(out, "audit chain OK: %lld entries\n", static_cast<long long>(v.entries));
        return 0;
      }
      std::fprintf(out, "audit chain broken at seq %lld: %s\n", static_cast<long long>(v.brokenSeq),
                   v.reason.c_str());
      return 1;
    }
    if (command != "user") {
      std::fputs(kUsage, err);
      return 2;
    }
    LinkSigner links = ClinicBackend::OpenLinks(config, store);
    ClinicService service(store, nullptr, links, config);
    if (sub == "add") {
      if (!flags.count("role") || !flags.count("name") || !flags.count("email")) {
        std::fputs(kUsage, err);
        return 2;
      }
      store::UserRecord user;
      const std::string token = service.AddUser(flags["role"], flags["name"], flags["email"],
                                                flags.count("clinic") ? flags["clinic"] : "", user);
      std::fprintf(out, "user %s (%s) added\n", user.email.c_str(), user.role.c_str());
      std::fprintf(out, "Set-password link (valid 24 h): %s/set-password/%s\n", BaseUrl(config).c_str(),
                   token.c_str());
      return 0;
    }
    if (sub == "list") {
      std::fprintf(out, "%-36s  %-32s  %-24s  %-9s  %s\n", "id", "email", "name", "role", "status");
      for (const auto& u : store.ListUsers()) {
        const char* status = u.disabled ? "disabled" : (u.passwordHash.empty() ? "invited" : "active");
        std::fprintf(out, "%-36s  %-32s  %-24s  %-9s  %s\n", u.userId.c_str(), u.email.c_str(),
                     u.name.c_str(), u.role.c_str(), status);
      }
      return 0;
    }
    if (sub == "disable") {
      if (!flags.count("email")) {
        std::fputs(kUsage, err);
        return 2;
      }
      const std::string email = ClinicService::NormalizeEmail(flags["email"]);
      const auto user = store.FindUserByEmail(email);
      if (!user || !store.SetUserDisabled(email, true)) {
        std::fprintf(err, "medicall: no user with email %s\n", email.c_str());
        return 1;
      }
      store.DeleteSessionsOf(user->userId);  // sessions are stored: they end now, event streams included
      service.Audit().Append("cli", "user.disabled", "", "", user->userId);
      std::fprintf(out, "user %s disabled (their sessions have ended)\n", email.c_str());
      return 0;
    }
    std::fputs(kUsage, err);
    return 2;
  } catch (const ClinicError& e) {
    std::fprintf(err, "medicall: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(err, "medicall: %s\n", e.what());
    return 1;
  }
}

}  // namespace medicall::clinic
