#pragma once
// Plain HTTP request/response values shared by the HTTP server (net, Beast) and the API handlers
// (meetings, app). Handlers never see Beast types.
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medicall {

struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

struct HttpRequest {
  std::string method;                                      // "GET", "POST", ...
  std::string target;                                      // raw request target: path plus optional "?query"
  std::string path;                                        // percent-decoded path, no query
  std::string rawPath;                                     // path exactly as sent (for SigV4 canonical URI)
  std::string rawQuery;                                    // query exactly as sent, without '?'
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string, CaseInsensitiveLess> headers;  // last value wins
  std::string body;
  std::string remoteAddress;  // peer IP as text
  bool remoteIsLoopback = false;

  const std::string* Header(std::string_view name) const;
  std::optional<std::string> QueryParam(std::string_view name) const;
};

// The JSON text of `j`, compact. Every JSON document we send is serialised with this: strings from a
// request (a percent-decoded path, a query parameter, a header) may hold bytes that are not UTF-8, on
// which nlohmann's plain dump() throws (type_error.316); here they become U+FFFD.
std::string DumpJson(const nlohmann::json& j);

// The body of a streamed response (server-sent events), written piece by piece after the headers.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues bytes for the client, from any thread; dropped once Closed().
  virtual void Send(std::string bytes) = 0;
  // The client went away (or the server is shutting down).
  virtual bool Closed() const = 0;
  // Ends the response (closes the connection), from any thread.
  virtual void Close() = 0;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set: a streamed response. The headers (and `body`, if any) are written without a length, the
  // connection then carries what is sent on the stream until either side closes it. Called once,
  // on the HTTP thread, when the headers are out.
  std::function<void(std::shared_ptr<ResponseStream>)> onStream;

  // 200 text/event-stream (no caching, no proxy buffering) handing the stream to `onOpen`.
  static HttpResponse EventStream(std::function<void(std::shared_ptr<ResponseStream>)> onOpen);

  static HttpResponse Json(int status, std::string body);                // body: JSON text
  static HttpResponse FromJson(int status, const nlohmann::json& body);  // serialised by DumpJson
  static HttpResponse Text(int status, std::string body,
                           std::string contentType = "text/plain; charset=utf-8");
  // AWS-style error: `x-amzn-errortype` header and {"Code","Message"} body.
  static HttpResponse AwsError(int status, std::string_view type, std::string_view message);
};

// Percent-decoding of a path or query component. Returns nullopt on malformed escapes.
std::optional<std::string> PercentDecode(std::string_view in, bool plusIsSpace);
// Splits "a=1&b=2" into decoded pairs; malformed escapes give nullopt.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view raw);

}  // namespace medicall
