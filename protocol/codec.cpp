#include "protocol/codec.hpp"

#include <utility>

#include "protocol/codec_internal.hpp"

namespace unimq::mqtt {
namespace {

using detail::decode_context;

// The fixed header flags every packet but PUBLISH must carry [MQTT-2.1.3-1].
constexpr std::uint8_t required_flags(packet_type t) {
  return t == packet_type::pubrel || t == packet_type::subscribe || t == packet_type::unsubscribe
             ? 0x2
             : 0x0;
}

const char* flags_rule(packet_type t, protocol_version v) {
  switch (t) {
    case packet_type::pubrel: return "MQTT-3.6.1-1";
    case packet_type::subscribe: return "MQTT-3.8.1-1";
    case packet_type::unsubscribe: return "MQTT-3.10.1-1";
    default: return v == protocol_version::v5 ? "MQTT-2.1.3-1" : "MQTT-2.2.2-1";
  }
}

// `packet` holds its alternatives in packet type order, so the type selects the index. The packet
// is built inside the result's variant, where it is decoded: no copy of the ~800 bytes.
template <class Value, std::size_t... I>
Value make_empty_packet(packet_type t, std::index_sequence<I...>) {
  using factory = Value (*)();
  static constexpr factory factories[] = {
      [] { return Value(std::in_place_index<0>, std::in_place_index<I>); }...};
  return factories[static_cast<std::size_t>(t) - 1]();
}

decode_error fail_header(std::uint8_t first_byte, protocol_version v, std::string message,
                         std::string_view rule) {
  decode_error e;
  e.code = reason_code::malformed_packet;
  e.rule = rule;
  e.message = std::move(message);
  e.version = v;
  e.action = v == protocol_version::v5 ? reaction::send_disconnect : reaction::close;
  if ((first_byte >> 4) == static_cast<std::uint8_t>(packet_type::connect))
    e.action = reaction_for(e.code, packet_type::connect, v);
  return e;
}

}  // namespace

decode_result::value_type decode_result::start(std::uint8_t first_byte, protocol_version version) {
  const std::uint8_t type_bits = first_byte >> 4;
  const std::uint8_t flags = first_byte & 0x0F;
  // Types 0 (and 15 before 5.0) are reserved: 5.0 Table 2-1 (section 2.1.2, no numbered
  // statement); 3.1.1 closes on any protocol violation [MQTT-4.8.0-1].
  if (type_bits == 0 || (type_bits == 15 && version != protocol_version::v5))
    return value_type(std::in_place_index<1>,
                      fail_header(first_byte, version,
                                  "reserved control packet type " + std::to_string(type_bits),
                                  version == protocol_version::v5 ? "MQTT-5.0 §2.1.2" : "MQTT-4.8.0-1"));
  const auto type = static_cast<packet_type>(type_bits);
  if (type != packet_type::publish && flags != required_flags(type))
    return value_type(std::in_place_index<1>,
                      fail_header(first_byte, version,
                                  std::string("reserved flag bits of ") + to_string(type) + " are " +
                                      std::to_string(flags) + ", must be " +
                                      std::to_string(required_flags(type)),
                                  flags_rule(type, version)));
  return make_empty_packet<value_type>(type, std::make_index_sequence<std::variant_size_v<packet>>{});
}

decode_result::decode_result(std::uint8_t first_byte, std::string_view body,
                             protocol_version version, const decode_options& options)
    : _value(start(first_byte, version)) {
  if (!ok()) return;
  const auto type = static_cast<packet_type>(first_byte >> 4);
  byte_reader r(body, version, type == packet_type::connect);
  decode_context ctx{static_cast<std::uint8_t>(first_byte & 0x0F), version, options};
  std::visit([&](auto& alternative) { detail::decode_body(r, ctx, alternative); }, value());
  if (!r.failed()) return;

  decode_error e = r.error();
  e.version = ctx.version;
  e.action = ctx.close_without_reply ? reaction::close : reaction_for(e.code, type, ctx.version);
  e.message = std::string(to_string(type)) + ": " + e.message;
  _value.emplace<1>(std::move(e));
}

decode_result decode_packet(std::uint8_t first_byte, std::string_view body, protocol_version version,
                            const decode_options& options) {
  return decode_result(first_byte, body, version, options);
}

decode_result decode(std::string_view bytes, protocol_version version,
                     const decode_options& options) {
  const bool connect =
      !bytes.empty() && (static_cast<std::uint8_t>(bytes[0]) >> 4) ==
                            static_cast<std::uint8_t>(packet_type::connect);
  byte_reader r(bytes, version, connect);
  const std::uint8_t first_byte = r.u8();
  const std::uint32_t length = r.varint();
  if (!r.failed() && length != r.remaining())
    r.fail(reason_code::malformed_packet, r.extent_rule(),
           "remaining length " + std::to_string(length) + " does not match the " +
               std::to_string(r.remaining()) + " bytes given");
  if (r.failed()) {
    decode_error e = r.error();
    e.action = version == protocol_version::v5 ? reaction::send_disconnect : reaction::close;
    e.version = version;
    return e;
  }
  return decode_packet(first_byte, r.rest(), version, options);
}

namespace {

std::uint8_t first_byte(const packet& p) {
  const packet_type t = type_of(p);
  const std::uint8_t flags = t == packet_type::publish
                                 ? detail::header_flags(std::get<publish_packet>(p))
                                 : required_flags(t);
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(t) << 4 | flags);
}

// Size of the body, or nothing if it cannot be encoded.
template <class P>
std::optional<std::size_t> body_size(const P& p, protocol_version v) {
  byte_writer counter;
  detail::encode_body(counter, p, v);
  if (!counter.ok() || counter.size() > kMaxVarint) return std::nullopt;
  return counter.size();
}

template <class P>
bool encode_with(const P& p, std::uint8_t first, protocol_version v, std::string& out) {
  byte_writer counter;
  detail::encode_body(counter, p, v);
  if (!counter.ok() || counter.size() > kMaxVarint) return false;
  const auto body = static_cast<std::uint32_t>(counter.size());
  const std::size_t old = out.size();
  out.resize(old + 1 + varint_size(body) + body);
  byte_writer w(out.data() + old, counter);  // reuses the property lengths the count measured
  w.u8(first);
  w.varint(body);
  detail::encode_body(w, p, v);
  return true;
}

}  // namespace

std::size_t encoded_size(const packet& p, protocol_version version) {
  return std::visit(
      [&](const auto& alternative) -> std::size_t {
        const auto body = body_size(alternative, version);
        return body ? 1 + varint_size(static_cast<std::uint32_t>(*body)) + *body : 0;
      },
      p);
}

bool encode(const packet& p, protocol_version version, std::string& out) {
  return std::visit(
      [&](const auto& alternative) { return encode_with(alternative, first_byte(p), version, out); },
      p);
}

bool encode(const publish_packet& p, protocol_version version, std::string& out) {
  const auto first = static_cast<std::uint8_t>(static_cast<std::uint8_t>(packet_type::publish) << 4 |
                                               detail::header_flags(p));
  return encode_with(p, first, version, out);
}

packet_type type_of(const packet& p) { return static_cast<packet_type>(p.index() + 1); }

}  // namespace unimq::mqtt
