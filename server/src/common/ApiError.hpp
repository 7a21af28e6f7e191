#pragma once
// Control-plane errors: a small typed hierarchy thrown by services and turned into a typed reply
// by the API layer (HTTP status + AWS error type in `x-amzn-errortype` and the JSON body).
#include <stdexcept>
#include <string>

namespace medicall {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string type, const std::string& message)
      : std::runtime_error(message), status_(status), type_(std::move(type)) {}
  int Status() const { return status_; }
  const std::string& Type() const { return type_; }

 private:
  int status_;
  std::string type_;
};

struct BadRequest : ApiError {
  explicit BadRequest(const std::string& m) : ApiError(400, "BadRequestException", m) {}
};
struct Unauthorized : ApiError {
  explicit Unauthorized(const std::string& m) : ApiError(401, "UnauthorizedException", m) {}
};
struct Forbidden : ApiError {
  explicit Forbidden(const std::string& m) : ApiError(403, "ForbiddenException", m) {}
};
struct NotFound : ApiError {
  explicit NotFound(const std::string& m) : ApiError(404, "NotFoundException", m) {}
};
struct Conflict : ApiError {
  explicit Conflict(const std::string& m) : ApiError(409, "ConflictException", m) {}
};
struct PayloadTooLarge : ApiError {
  explicit PayloadTooLarge(const std::string& m) : ApiError(413, "BadRequestException", m) {}
};
struct UnsupportedMediaType : ApiError {
  explicit UnsupportedMediaType(const std::string& m) : ApiError(415, "BadRequestException", m) {}
};
struct LimitExceeded : ApiError {
  explicit LimitExceeded(const std::string& m) : ApiError(429, "LimitExceededException", m) {}
};
struct ServiceUnavailable : ApiError {
  explicit ServiceUnavailable(const std::string& m) : ApiError(503, "ServiceUnavailableException", m) {}
};
struct ServiceFailure : ApiError {
  explicit ServiceFailure(const std::string& m) : ApiError(500, "ServiceFailureException", m) {}
};

}  // namespace medicall
