#pragma once
// Turns a byte stream that arrives in arbitrary pieces into complete, decoded packets.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/codec.hpp"

namespace unimq::mqtt {

/// Buffers bytes from one connection and yields its packets in order.
///
/// Memory is bounded: a packet's size is checked against the maximum from its fixed header, before its
/// body is buffered, and a Remaining Length longer than four bytes is refused. After an error the
/// stream is dead: the error is reported once and later bytes are ignored.
///
/// Lifetimes: string views in a packet returned by next() point into this decoder's buffer and stay
/// valid until the next call to feed() or prepare(). Several next() calls in a row keep all of
/// their packets valid, so a caller can decode every packet of one read and then act on them.
class stream_decoder {
 public:
  explicit stream_decoder(std::uint32_t maximum_packet_size = kMaxPacketSize,
                          decode_options options = {})
      : _max_packet_size(maximum_packet_size), _options(options) {}

  /// The version packets are decoded in. Unset until a CONNECT was decoded (or set_version was
  /// called, as a client does); until then, 3.1.1 rules apply.
  std::optional<protocol_version> version() const { return _version; }
  void set_version(protocol_version v) { _version = v; }

  /// Appends bytes read from the network (copies them once).
  void feed(std::string_view bytes);

  /// A writable area of `n` bytes at the end of the buffer, to read from a socket into without an
  /// extra copy; then commit() the number of bytes actually read.
  char* prepare(std::size_t n);
  void commit(std::size_t n);

  /// The next complete packet, an error, or nothing when more bytes are needed.
  std::optional<decode_result> next();

  /// Bytes received but not yet returned as packets.
  std::size_t buffered() const { return _end - _begin; }

 private:
  void compact();
  std::optional<decode_result> decode_in_place(std::uint8_t first_byte, std::string_view body,
                                               protocol_version version);
  decode_error fail(reason_code code, std::string_view rule, std::string message,
                    std::uint8_t first_byte);

  std::uint32_t _max_packet_size;
  decode_options _options;
  std::optional<protocol_version> _version;
  std::string _buffer;     // bytes [_begin, _end) are received and not yet returned
  std::size_t _begin = 0;
  std::size_t _end = 0;
  bool _dead = false;
};

}  // namespace unimq::mqtt
