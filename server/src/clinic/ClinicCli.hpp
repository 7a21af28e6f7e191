#pragma once
// `medicall user add|list|disable` and `medicall audit verify`: on the server's data directory and
// configuration (MEDICALL_DATA_DIR, .env, --data-dir ...), safe while the server runs (SQLite WAL).
//   user add --role admin|clinician --name "Dr Jane Doe" --email jane@example.org [--clinic slug]
//   user list
//   user disable --email jane@example.org
//   audit verify            exit 0 "audit chain OK: N entries"; 1 "audit chain broken at seq N: why"
#include <cstdio>

namespace medicall::clinic {

class ClinicCli {
 public:
  // True when argv[1] names a command of this class.
  static bool IsCommand(int argc, char** argv);
  // Runs it: the exit code. Output on `out`, errors on `err`.
  static int Run(int argc, char** argv, std::FILE* out = stdout, std::FILE* err = stderr);
};

}  // namespace medicall::clinic
