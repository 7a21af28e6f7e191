#include "meetings/SigV4Verifier.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "common/ApiError.hpp"

namespace medicall::meetings {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0x0f];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

// Header value for the canonical form: trimmed, runs of spaces collapsed to one.
std::string CanonicalHeaderValue(std::string_view value) {
  const std::string trimmed = Trim(value);
  std::string out;
  out.reserve(trimmed.size());
  bool lastSpace = false;
  for (char c : trimmed) {
    const bool space = c == ' ' || c == '\t';
    if (space && lastSpace) continue;
    out.push_back(space ? ' ' : c);
    lastSpace = space;
  }
  return out;
}

bool IsUnreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }

// RFC 3986 encoding as SigV4 defines it: everything but unreserved characters as %XX (upper hex).
std::string UriEncode(std::string_view in, bool keepSlash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (unsigned char c : in) {
    if (IsUnreserved(c) || (keepSlash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

SigV4Verifier::SigV4Verifier(std::string accessKeyId, std::string secretAccessKey, std::string region,
                             std::string service, int skewSeconds, const Clock& clock)
    : accessKeyId_(std::move(accessKeyId)),
      secretAccessKey_(std::move(secretAccessKey)),
      region_(std::move(region)),
      service_(std::move(service)),
      skewSeconds_(skewSeconds),
      clock_(clock) {}

std::string SigV4Verifier::Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof digest);
}

bool SigV4Verifier::ParseAmzDate(std::string_view t, int64_t& unixSeconds) {
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return false;
  for (size_t i = 0; i < 15; ++i)
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(t[i]))) return false;
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    return false;
  unixSeconds = static_cast<int64_t>(timegm(&tm));
  return true;
}

bool SigV4Verifier::ParseAuthorization(std::string_view header, SigV4Authorization& out) {
  // AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
  //   SignedHeaders=host;x-amz-date, Signature=<hex>
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm) return false;
  std::string_view rest = header.substr(kAlgorithm.size());
  if (rest.empty() || rest[0] != ' ') return false;
  bool haveCredential = false, haveSigned = false, haveSignature = false;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string part = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string::npos) return false;
    const std::string key = part.substr(0, eq);
    const std::string value = part.substr(eq + 1);
    if (key == "Credential") {
      std::vector<std::string> fields;
      size_t start = 0;
      for (;;) {
        const size_t slash = value.find('/', start);
        fields.push_back(value.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
      }
      if (fields.size() != 5) return false;
      out.accessKeyId = fields[0];
      out.date = fields[1];
      out.region = fields[2];
      out.service = fields[3];
      out.terminator = fields[4];
      haveCredential = true;
    } else if (key == "SignedHeaders") {
      out.signedHeaders.clear();
      size_t start = 0;
      for (;;) {
        const size_t semi = value.find(';', start);
        std::string name = value.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
        if (name.empty()) return false;
        out.signedHeaders.push_back(std::move(name));
        if (semi == std::string::npos) break;
        start = semi + 1;
      }
      haveSigned = true;
    } else if (key == "Signature") {
      out.signature = value;
      haveSignature = true;
    } else {
      return false;
    }
  }
  return haveCredential && haveSigned && haveSignature;
}

std::string SigV4Verifier::CanonicalUri(std::string_view rawPath) {
  // Non-S3 services: normalise dot segments, then URI-encode the path as sent (so escapes are
  // encoded a second time, as the AWS SDKs do when they sign).
  std::vector<std::string_view> segments;
  size_t start = rawPath.empty() || rawPath[0] != '/' ? 0 : 1;
  while (start <= rawPath.size()) {
    const size_t slash = rawPath.find('/', start);
    const std::string_view seg =
        rawPath.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (seg != "." && !(seg.empty() && slash != std::string_view::npos)) {
      segments.push_back(seg);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string path = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) path.push_back('/');
    path.append(segments[i]);
  }
  // A trailing "/." or "/.." leaves the path ending in a directory.
  const bool endsInDirectory = rawPath.size() > 1 && (rawPath.ends_with("/.") || rawPath.ends_with("/.."));
  if (endsInDirectory && path.back() != '/') path.push_back('/');
  return UriEncode(path, true);
}

std::string SigV4Verifier::CanonicalQuery(std::string_view rawQuery) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!rawQuery.empty()) {
    const size_t amp = rawQuery.find('&');
    const std::string_view part = rawQuery.substr(0, amp);
    rawQuery = amp == std::string_view::npos ? std::string_view{} : rawQuery.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    const std::string_view rawKey = part.substr(0, eq);
    const std::string_view rawValue = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    // Decode what the client encoded, then re-encode strictly; undecodable text is encoded as is.
    const std::string key = PercentDecode(rawKey, false).value_or(std::string(rawKey));
    const std::string value = PercentDecode(rawValue, false).value_or(std::string(rawValue));
    if (key == "X-Amz-Signature") continue;
    params.emplace_back(UriEncode(key, false), UriEncode(value, false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string SigV4Verifier::CanonicalRequest(const HttpRequest& request,
                                            const std::vector<std::string>& signedHeaders,
                                            const std::string& payloadHash) {
  std::string out = request.method;
  out.push_back('\n');
  out += CanonicalUri(request.rawPath.empty() ? std::string_view("/") : std::string_view(request.rawPath));
  out.push_back('\n');
  out += CanonicalQuery(request.rawQuery);
  out.push_back('\n');
  std::string list;
  for (const auto& name : signedHeaders) {
    const std::string* value = request.Header(name);
    out += name;
    out.push_back(':');
    if (value) out += CanonicalHeaderValue(*value);
    out.push_back('\n');
    if (!list.empty()) list.push_back(';');
    list += name;
  }
  out.push_back('\n');
  out += list;
  out.push_back('\n');
  out += payloadHash;
  return out;
}

std::string SigV4Verifier::StringToSign(const std::string& amzDate, const std::string& scope,
                                        const std::string& canonicalRequest) {
  return std::string(kAlgorithm) + "\n" + amzDate + "\n" + scope + "\n" + Sha256Hex(canonicalRequest);
}

std::string SigV4Verifier::Sign(const std::string& secretAccessKey, const std::string& date,
                                const std::string& region, const std::string& service,
                                const std::string& stringToSign) {
  const std::string kDate = Hmac("AWS4" + secretAccessKey, date);
  const std::string kRegion = Hmac(kDate, region);
  const std::string kService = Hmac(kRegion, service);
  const std::string kSigning = Hmac(kService, "aws4_request");
  const std::string mac = Hmac(kSigning, stringToSign);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

void SigV4Verifier::Verify(const HttpRequest& request) const {
  const std::string* authorization = request.Header("authorization");
  if (!authorization || authorization->empty())
    throw Unauthorized("Missing Authentication Token: the request must be signed with AWS Signature V4.");
  SigV4Authorization auth;
  if (!ParseAuthorization(*authorization, auth))
    throw Forbidden(
        "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.");
  if (auth.accessKeyId != accessKeyId_)
    throw Forbidden("The security token included in the request is invalid.");
  if (auth.region != region_ || auth.service != service_ || auth.terminator != "aws4_request")
    throw Forbidden("Credential should be scoped to a valid region and service ('" + region_ + "', '" +
                    service_ + "').");
  // SignedHeaders must be sorted, lower case, and include host.
  if (!std::is_sorted(auth.signedHeaders.begin(), auth.signedHeaders.end()) ||
      std::find(auth.signedHeaders.begin(), auth.signedHeaders.end(), "host") == auth.signedHeaders.end())
    throw Forbidden("SignedHeaders must be sorted and include 'host'.");
  for (const auto& name : auth.signedHeaders) {
    for (char c : name)
      if (std::isupper(static_cast<unsigned char>(c))) throw Forbidden("SignedHeaders must be lower case.");
    if (!request.Header(name)) throw Forbidden("Signed header '" + name + "' is missing from the request.");
  }

  const std::string* amzDate = request.Header("x-amz-date");
  if (!amzDate) throw Forbidden("Authorization requires an X-Amz-Date header.");
  int64_t signedAt = 0;
  if (!ParseAmzDate(*amzDate, signedAt)) throw Forbidden("X-Amz-Date is not in the form yyyyMMddTHHmmssZ.");
  if (amzDate->substr(0, 8) != auth.date) throw Forbidden("Credential date does not match X-Amz-Date.");
  const int64_t now = clock_.WallNowUs() / 1'000'000;
  if (signedAt > now + skewSeconds_ || signedAt < now - skewSeconds_)
    throw Forbidden("Signature expired: the request time is outside the allowed clock skew.");

  const std::string actualHash = Sha256Hex(request.body);
  std::string payloadHash = actualHash;
  if (const std::string* declared = request.Header("x-amz-content-sha256")) {
    if (*declared == kUnsignedPayload) {
      payloadHash = std::string(kUnsignedPayload);
    } else if (!ConstantTimeEquals(*declared, actualHash)) {
      throw Forbidden("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }

  const std::string scope = auth.date + "/" + auth.region + "/" + auth.service + "/" + auth.terminator;
  const std::string canonical = CanonicalRequest(request, auth.signedHeaders, payloadHash);
  const std::string expected =
      Sign(secretAccessKey_, auth.date, auth.region, auth.service, StringToSign(*amzDate, scope, canonical));
  if (!ConstantTimeEquals(expected, auth.signature))
    throw Forbidden("The request signature we calculated does not match the signature you provided.");
}

}  // namespace medicall::meetings
