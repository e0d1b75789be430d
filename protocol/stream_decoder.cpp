#include "protocol/stream_decoder.hpp"

#include <cstring>

#include "protocol/byte_writer.hpp"

namespace unimq::mqtt {
namespace {

// An idle connection should not keep a large buffer alive after one big packet.
constexpr std::size_t kKeptBufferSize = 4096;

}  // namespace

void stream_decoder::compact() {
  if (_begin == _end) {
    _begin = _end = 0;
    if (_buffer.size() > kKeptBufferSize) std::string().swap(_buffer);
    return;
  }
  if (_begin == 0) return;
  std::memmove(_buffer.data(), _buffer.data() + _begin, _end - _begin);
  _end -= _begin;
  _begin = 0;
}

char* stream_decoder::prepare(std::size_t n) {
  compact();
  if (_buffer.size() < _end + n) _buffer.resize(_end + n);
  return _buffer.data() + _end;
}

void stream_decoder::commit(std::size_t n) {
  if (_dead) return;
  _end += n;
}

void stream_decoder::feed(std::string_view bytes) {
  if (_dead || bytes.empty()) return;
  std::memcpy(prepare(bytes.size()), bytes.data(), bytes.size());
  commit(bytes.size());
}

decode_error stream_decoder::fail(reason_code code, std::string_view rule, std::string message,
                                  std::uint8_t first_byte) {
  _dead = true;  // the buffer stays: packets returned before still point into it
  decode_error e;
  e.code = code;
  e.rule = rule;
  e.message = std::move(message);
  e.version = _version.value_or(protocol_version::v3_1_1);
  e.action = reaction_for(code, static_cast<packet_type>(first_byte >> 4), e.version);
  return e;
}

std::optional<decode_result> stream_decoder::next() {
  if (_dead || _begin == _end) return std::nullopt;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(_buffer.data() + _begin);
  const std::size_t available = _end - _begin;
  const std::uint8_t first_byte = bytes[0];
  const protocol_version version = _version.value_or(protocol_version::v3_1_1);
  const bool v5 = version == protocol_version::v5;

  // Remaining Length: a Variable Byte Integer of at most four bytes (5.0 section 1.5.5, 3.1.1
  // section 2.2.3, neither numbered), minimally encoded in 5.0 only [MQTT-1.5.5-1].
  std::uint32_t remaining = 0;
  std::size_t header = 1;
  for (int shift = 0;; shift += 7) {
    if (header > 4)
      return fail(reason_code::malformed_packet, v5 ? "MQTT-5.0 §1.5.5" : "MQTT-3.1.1 §2.2.3",
                  "Remaining Length is longer than four bytes", first_byte);
    if (header >= available) return std::nullopt;
    const std::uint8_t b = bytes[header++];
    remaining |= static_cast<std::uint32_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      if (b == 0 && shift > 0 && v5)
        return fail(reason_code::malformed_packet, "MQTT-1.5.5-1",
                    "Remaining Length is not minimally encoded", first_byte);
      break;
    }
  }
  const std::size_t total = header + remaining;
  if (total > _max_packet_size)
    return fail(reason_code::packet_too_large, "MQTT-3.2.2-15",
                "packet of " + std::to_string(total) + " bytes exceeds the maximum of " +
                    std::to_string(_max_packet_size),
                first_byte);
  if (available < total) return std::nullopt;

  std::string_view body(_buffer.data() + _begin + header, remaining);
  _begin += total;
  return decode_in_place(first_byte, body, version);
}

std::optional<decode_result> stream_decoder::decode_in_place(std::uint8_t first_byte,
                                                             std::string_view body,
                                                             protocol_version version) {
  // Decoded in place, and returned as the only return value (so it is not moved either).
  std::optional<decode_result> result(std::in_place, first_byte, body, version, _options);
  if (!result->ok())
    _dead = true;
  else if (auto* connect = std::get_if<connect_packet>(&result->value()))
    _version = connect->version;
  return result;
}

}  // namespace unimq::mqtt
