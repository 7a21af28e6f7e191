#include <utility>

#include "app/ChimeEndpointClient.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/ApiError.hpp"
#include "common/Logger.hpp"
#include "meetings/IdGenerator.hpp"

namespace medicall::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

constexpr auto kTimeout = std::chrono::seconds(10);

meetings::MeetingRecord MeetingFrom(const json& j) {
  meetings::MeetingRecord m;
  m.meetingId = j.value("MeetingId", "");
  m.externalMeetingId = j.value("ExternalMeetingId", "");
  m.mediaRegion = j.value("MediaRegion", "");
  if (auto p = j.find("MediaPlacement"); p != j.end() && p->is_object()) m.mediaPlacementJson = DumpJson(*p);
  if (m.meetingId.empty() || m.mediaPlacementJson.empty())
    throw ServiceFailure("The Chime endpoint answered a meeting without MeetingId or MediaPlacement.");
  return m;
}

json ParseReply(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw ServiceFailure("The Chime endpoint answered something not JSON.");
  return j;
}

template <typename Stream>
http::response<http::string_body> RoundTrip(Stream& stream, http::request<http::string_body>& request) {
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  http::read(stream, buffer, parser);
  return parser.release();
}

}  // namespace

ChimeEndpointClient::ChimeEndpointClient(const Config& config)
    : signer_(config.awsAccessKeyId, config.awsSecretAccessKey, config.awsRegion, "chime") {
  const std::string& url = config.chimeEndpoint;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    tls_ = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    throw std::runtime_error("MEDICALL_CHIME_ENDPOINT must be an http:// or https:// URL");
  }
  if (!config.HasCredentials())
    throw std::runtime_error("MEDICALL_CHIME_ENDPOINT needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  host_ = rest;
  port_ = tls_ ? "443" : "80";
  if (const auto colon = rest.rfind(':'); colon != std::string::npos && rest.back() != ']') {
    host_ = rest.substr(0, colon);
    port_ = rest.substr(colon + 1);
  }
  if (host_.empty()) throw std::runtime_error("MEDICALL_CHIME_ENDPOINT: missing host");
  log::Warn("main", "AWS mode: meetings and attendees of /join are created on {} (region {})", url,
            config.awsRegion);
}

ChimeEndpointClient::Reply ChimeEndpointClient::Send(const std::string& method, const std::string& path,
                                                     const std::string& body) {
  HttpRequest r;
  r.method = method;
  const auto q = path.find('?');
  r.rawPath = r.path = path.substr(0, q);
  if (q != std::string::npos) r.rawQuery = path.substr(q + 1);
  r.target = path;
  const bool defaultPort = port_ == (tls_ ? "443" : "80");
  r.headers["host"] = defaultPort ? host_ : host_ + ":" + port_;
  if (!body.empty()) r.headers["content-type"] = "application/json";
  r.body = body;
  signer_.Sign(r);
  try {
    return Exchange(r);
  } catch (const ApiError&) {
    throw;
  } catch (const std::exception& e) {
    throw ServiceUnavailable("The Chime endpoint " + host_ + ":" + port_ + " cannot be reached: " + e.what());
  }
}

ChimeEndpointClient::Reply ChimeEndpointClient::Exchange(const HttpRequest& r) {
  http::request<http::string_body> request{http::string_to_verb(r.method), r.target, 11};
  for (const auto& [name, value] : r.headers) request.set(name, value);
  request.body() = r.body;
  request.prepare_payload();
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  const auto endpoints = resolver.resolve(host_, port_);
  http::response<http::string_body> response;
  if (tls_) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), host_.c_str()))
      throw std::runtime_error("cannot set the TLS server name");
    stream.set_verify_callback(asio::ssl::host_name_verification(host_));
    beast::get_lowest_layer(stream).expires_after(kTimeout);
    beast::get_lowest_layer(stream).connect(endpoints);
    stream.handshake(asio::ssl::stream_base::client);
    response = RoundTrip(stream, request);
    beast::error_code ignored;
    stream.shutdown(ignored);
  } else {
    beast::tcp_stream stream(ioc);
    stream.expires_after(kTimeout);
    stream.connect(endpoints);
    response = RoundTrip(stream, request);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
  Reply reply;
  reply.status = static_cast<int>(response.result_int());
  reply.body = response.body();
  if (auto it = response.find("x-amzn-errortype"); it != response.end())
    reply.type = std::string(it->value());
  if (reply.status >= 300 && reply.status != 404) {
    std::string message = "The Chime endpoint answered " + std::to_string(reply.status);
    const json j = json::parse(reply.body, nullptr, false);
    if (j.is_object() && j.contains("Message") && j["Message"].is_string())
      message += ": " + j["Message"].get<std::string>();
    throw ApiError(
        reply.status >= 500 ? 503 : reply.status,
        reply.type.empty() ? "ServiceFailureException" : reply.type.substr(0, reply.type.find(':')), message);
  }
  return reply;
}

meetings::MeetingRecord ChimeEndpointClient::CreateMeeting(const std::string& externalMeetingId,
                                                           const std::string& mediaRegion) {
  const json body = {{"ClientRequestToken", meetings::IdGenerator::NewUuid()},
                     {"ExternalMeetingId", externalMeetingId},
                     {"MediaRegion", mediaRegion}};
  const Reply reply = Send("POST", "/meetings", DumpJson(body));
  if (reply.status == 404) throw ServiceFailure("The Chime endpoint has no /meetings.");
  const json j = ParseReply(reply.body);
  if (!j.contains("Meeting") || !j["Meeting"].is_object())
    throw ServiceFailure("CreateMeeting answered no Meeting.");
  return MeetingFrom(j["Meeting"]);
}

std::optional<meetings::MeetingRecord> ChimeEndpointClient::GetMeeting(const std::string& meetingId) {
  const Reply reply = Send("GET", "/meetings/" + meetingId, "");
  if (reply.status == 404) return std::nullopt;
  const json j = ParseReply(reply.body);
  if (!j.contains("Meeting") || !j["Meeting"].is_object())
    throw ServiceFailure("GetMeeting answered no Meeting.");
  return MeetingFrom(j["Meeting"]);
}

meetings::AttendeeRecord ChimeEndpointClient::CreateAttendee(const std::string& meetingId,
                                                             const meetings::CreateAttendeeParams& params) {
  const json body = {{"ExternalUserId", params.externalUserId},
                     {"Capabilities",
                      {{"Audio", params.capabilities.audio},
                       {"Video", params.capabilities.video},
                       {"Content", params.capabilities.content}}}};
  const Reply reply = Send("POST", "/meetings/" + meetingId + "/attendees", DumpJson(body));
  if (reply.status == 404) throw NotFound("The meeting " + meetingId + " has ended on the Chime endpoint.");
  const json j = ParseReply(reply.body);
  if (!j.contains("Attendee") || !j["Attendee"].is_object())
    throw ServiceFailure("CreateAttendee answered no Attendee.");
  const json& a = j["Attendee"];
  meetings::AttendeeRecord out;
  out.meetingId = meetingId;
  out.attendeeId = a.value("AttendeeId", "");
  out.externalUserId = a.value("ExternalUserId", params.externalUserId);
  out.joinToken = a.value("JoinToken", "");
  if (auto caps = a.find("Capabilities"); caps != a.end() && caps->is_object()) {
    out.audio = caps->value("Audio", out.audio);
    out.video = caps->value("Video", out.video);
    out.content = caps->value("Content", out.content);
  }
  if (out.attendeeId.empty() || out.joinToken.empty())
    throw ServiceFailure("CreateAttendee answered an attendee without AttendeeId or JoinToken.");
  return out;
}

}  // namespace medicall::app
