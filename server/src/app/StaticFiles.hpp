#pragma once
// Serves the built web app (web/dist): correct content types, SPA fallback to index.html for
// page routes, no path traversal. Without a built app, a minimal page says how to build it.
#include <filesystem>
#include <optional>
#include <string>

#include "common/HttpTypes.hpp"

namespace medicall::app {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);
  // Answers GET/HEAD for anything; nullopt for other methods.
  std::optional<HttpResponse> Handle(const HttpRequest& request) const;

  static std::string ContentType(const std::filesystem::path& file);

 private:
  std::optional<HttpResponse> ServeFile(const std::filesystem::path& file, bool head) const;
  std::filesystem::path root_;
};

}  // namespace medicall::app
