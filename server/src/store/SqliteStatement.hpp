#pragma once
// Small helpers every SQLite-backed store shares: a statement reset when its scope ends, and text
// bound and read without trusting a NUL terminator.
#include <sqlite3.h>

#include <string>

namespace medicall::store::sqlite {

// Resets a statement (bindings and cursor) when the scope ends, whatever happens.
class StatementScope {
 public:
  explicit StatementScope(sqlite3_stmt* s) : s_(s) {}
  ~StatementScope() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;

 private:
  sqlite3_stmt* s_;
};

inline void BindText(sqlite3_stmt* s, int index, const std::string& value) {
  sqlite3_bind_text(s, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

inline std::string ColumnText(sqlite3_stmt* s, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
  return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(s, column))) : std::string();
}

}  // namespace medicall::store::sqlite
