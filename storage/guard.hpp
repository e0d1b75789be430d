#pragma once
// The exception boundary: public entry points run their body through guarded() so that an
// allocation failure or a stray exception (from Protobuf or the standard library) becomes a status.

#include <exception>
#include <new>
#include <string>

#include "storage/status.hpp"

namespace unimq::storage {

template <class F>
auto guarded(const char* what, F&& body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return status::internal(std::string("out of memory while ") + what);
  } catch (const std::exception& e) {
    return status::internal(std::string("unexpected exception while ") + what + ": " + e.what());
  } catch (...) {
    return status::internal(std::string("unknown exception while ") + what);
  }
}

}  // namespace unimq::storage
