#include "storage/status.hpp"

namespace unimq::storage {

const char* to_string(status_code c) {
  switch (c) {
    case status_code::ok: return "ok";
    case status_code::not_found: return "not found";
    case status_code::invalid_argument: return "invalid argument";
    case status_code::corruption: return "corruption";
    case status_code::not_ours: return "not a unimq data directory";
    case status_code::newer_format: return "newer format";
    case status_code::quota_exceeded: return "quota exceeded";
    case status_code::busy: return "busy";
    case status_code::io_error: return "I/O error";
    case status_code::internal: return "internal error";
  }
  return "unknown";
}

std::string status::to_string() const {
  if (is_ok()) return "ok";
  return std::string(storage::to_string(_code)) + ": " + _message;
}

}  // namespace unimq::storage
