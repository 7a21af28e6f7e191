#include "meetings/RequestValidator.hpp"

#include <cctype>

#include "common/ApiError.hpp"

namespace medicall::meetings {

int RequestValidator::Utf8Length(std::string_view text) {
  int count = 0;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return -1;
    }
    if (text.size() - i < len) return -1;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return -1;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return -1;
    i += len;
    ++count;
  }
  return count;
}

bool RequestValidator::IsValidExternalId(std::string_view text) {
  const int n = Utf8Length(text);
  if (n < 2 || n > 64) return false;
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

bool RequestValidator::IsValidClientRequestToken(std::string_view text) {
  if (text.size() < 2 || text.size() > 64) return false;
  for (unsigned char c : text)
    if (!std::isalnum(c) && c != '-' && c != '_') return false;
  return true;
}

bool RequestValidator::IsValidMediaRegion(std::string_view text) {
  if (text.size() < 2 || text.size() > 64) return false;
  for (unsigned char c : text)
    if (!(std::islower(c) || std::isdigit(c) || c == '-')) return false;
  return true;
}

bool RequestValidator::IsValidCapability(std::string_view text) {
  return text == "SendReceive" || text == "Send" || text == "Receive" || text == "None";
}

void RequestValidator::CheckExternalUserId(std::string_view text) {
  if (!IsValidExternalId(text))
    throw BadRequest("ExternalUserId must be 2-64 characters without control characters.");
}

void RequestValidator::CheckExternalMeetingId(std::string_view text, const char* field) {
  if (!IsValidExternalId(text))
    throw BadRequest(std::string(field) + " must be 2-64 characters without control characters.");
}

void RequestValidator::CheckClientRequestToken(std::string_view text) {
  if (!IsValidClientRequestToken(text))
    throw BadRequest("ClientRequestToken must be 2-64 characters of [-_a-zA-Z0-9].");
}

void RequestValidator::CheckMediaRegion(std::string_view text) {
  if (!IsValidMediaRegion(text)) throw BadRequest("MediaRegion is missing or not a valid region name.");
}

void RequestValidator::CheckCapability(std::string_view text, const char* field) {
  if (!IsValidCapability(text))
    throw BadRequest(std::string("Capabilities.") + field +
                     " must be one of SendReceive, Send, Receive, None.");
}

}  // namespace medicall::meetings
