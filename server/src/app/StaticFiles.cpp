#include "app/StaticFiles.hpp"

#include <fstream>
#include <sstream>

namespace medicall::app {

namespace fs = std::filesystem;

namespace {
const char kFallbackPage[] =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MediCall</title></head>"
    "<body><main><h1>MediCall</h1><p>The server is running, but the web app has not been built. "
    "Run <code>make run</code> (or <code>cd web &amp;&amp; npm run build</code>).</p></main></body></html>";

// A request path is acceptable when every segment is a plain name: no "..", ".", empty
// components in the middle, backslashes or NUL bytes.
bool SafeRelative(const std::string& path, fs::path& out) {
  if (path.empty() || path[0] != '/') return false;
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) return false;
  fs::path rel;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    const std::string seg = path.substr(start, slash - start);
    if (seg == ".." || seg == ".") return false;
    if (!seg.empty()) rel /= seg;
    start = slash + 1;
  }
  out = rel;
  return true;
}

void AddCommonHeaders(HttpResponse& r) {
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}
}  // namespace

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  auto canonical = fs::weakly_canonical(root_, ec);
  if (!ec) root_ = canonical;
}

std::string StaticFiles::ContentType(const fs::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".webp") return "image/webp";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".mp3") return "audio/mpeg";
  if (ext == ".wav") return "audio/wav";
  return "application/octet-stream";
}

std::optional<HttpResponse> StaticFiles::ServeFile(const fs::path& file, bool head) const {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  // Symlinks must not lead outside the root either.
  const auto canonical = fs::weakly_canonical(file, ec);
  if (ec) return std::nullopt;
  const auto rootStr = root_.string();
  const auto fileStr = canonical.string();
  if (fileStr.compare(0, rootStr.size(), rootStr) != 0 ||
      (fileStr.size() > rootStr.size() && fileStr[rootStr.size()] != '/'))
    return std::nullopt;
  std::ifstream in(canonical, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  HttpResponse r = HttpResponse::Text(200, head ? std::string() : ss.str(), ContentType(file));
  const bool hashedAsset = file.parent_path().filename() == "assets";
  r.headers.emplace_back("Cache-Control", hashedAsset ? "public, max-age=31536000, immutable" : "no-cache");
  AddCommonHeaders(r);
  return r;
}

std::optional<HttpResponse> StaticFiles::Handle(const HttpRequest& request) const {
  const bool head = request.method == "HEAD";
  if (request.method != "GET" && !head) return std::nullopt;
  fs::path rel;
  if (!SafeRelative(request.path, rel)) {
    HttpResponse r = HttpResponse::Json(400, "{\"error\":\"BadRequest\",\"message\":\"invalid path\"}");
    AddCommonHeaders(r);
    return r;
  }
  std::error_code ec;
  const bool haveApp = fs::is_regular_file(root_ / "index.html", ec);
  if (!rel.empty()) {
    if (auto r = ServeFile(root_ / rel, head)) return r;
  }
  // SPA fallback: page routes (no file extension) get index.html; missing assets get 404.
  if (rel.empty() || !rel.has_extension()) {
    if (haveApp) {
      if (auto r = ServeFile(root_ / "index.html", head)) return r;
    }
    HttpResponse r = HttpResponse::Text(200, head ? std::string() : std::string(kFallbackPage),
                                        "text/html; charset=utf-8");
    AddCommonHeaders(r);
    return r;
  }
  HttpResponse r = HttpResponse::Json(404, "{\"error\":\"NotFound\",\"message\":\"no such file\"}");
  AddCommonHeaders(r);
  return r;
}

}  // namespace medicall::app
