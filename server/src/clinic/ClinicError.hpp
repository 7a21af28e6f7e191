#pragma once
// An error of the clinic API: HTTP status, a type ("LinkExpired", "Forbidden", ...) and a message a
// person can read; ClinicApi answers {"error": type, "message": message}.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace medicall::clinic {

class ClinicError : public std::runtime_error {
 public:
  ClinicError(int status, std::string type, const std::string& message, int64_t retryAfterSeconds = 0)
      : std::runtime_error(message),
        status_(status),
        type_(std::move(type)),
        retryAfter_(retryAfterSeconds) {}
  int Status() const { return status_; }
  const std::string& Type() const { return type_; }
  int64_t RetryAfterSeconds() const { return retryAfter_; }

 private:
  int status_;
  std::string type_;
  int64_t retryAfter_;
};

}  // namespace medicall::clinic
