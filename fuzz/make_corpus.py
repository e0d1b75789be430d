#!/usr/bin/env python3
"""Writes the seed corpus of stream_decoder_fuzz: valid MQTT packets of every type in 3.1.1 and 5.0
(and a 3.1 session), some concatenated. Built by hand from the spec, independently of the codec.

Each file is a selector byte (see stream_decoder_fuzz.cpp: bits 0-1 version 0=3.1 1=3.1.1 2=5.0
3=unset, bits 3-7 chunking seed) followed by the stream bytes.

    python3 fuzz/make_corpus.py [OUTPUT_DIR]
"""
import os
import struct
import sys

V31, V311, V5, UNSET = 0, 1, 2, 3


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def u16(n):
    return struct.pack(">H", n)


def u32(n):
    return struct.pack(">I", n)


def s(text):
    data = text if isinstance(text, bytes) else text.encode()
    return u16(len(data)) + data


def packet(type_, flags, body):
    return bytes([type_ << 4 | flags]) + varint(len(body)) + body


def props(*items):
    body = b"".join(items)
    return varint(len(body)) + body


def p_byte(pid, v):
    return bytes([pid, v])


def p_u16(pid, v):
    return bytes([pid]) + u16(v)


def p_u32(pid, v):
    return bytes([pid]) + u32(v)


def p_str(pid, v):
    return bytes([pid]) + s(v)


def p_varint(pid, v):
    return bytes([pid]) + varint(v)


def p_user(k, v):
    return bytes([0x26]) + s(k) + s(v)


PAYLOAD = b'{"temperature":21.5,"unit":"C","ts":1700000000,"device":"42"}'


def connect(version, client_id, flags, keep_alive=60, rest=b"", conn_props=None):
    name = "MQIsdp" if version == 3 else "MQTT"
    body = s(name) + bytes([version, flags]) + u16(keep_alive)
    if version == 5:
        body += conn_props if conn_props is not None else props()
    body += s(client_id) + rest
    return packet(1, 0, body)


def publish(topic, payload, qos=0, pid=0, retain=False, dup=False, v5_props=None):
    flags = qos << 1 | (1 if retain else 0) | (8 if dup else 0)
    body = s(topic) + (u16(pid) if qos else b"")
    if v5_props is not None:
        body += v5_props
    return packet(3, flags, body + payload)


def seeds():
    # --- MQTT 3.1.1 ---
    yield "v311_connect_will_auth", UNSET, connect(
        4, "sensor-42", 0x02 | 0x04 | (1 << 3) | 0x20 | 0x40 | 0x80,
        rest=s("devices/sensor-42/status") + s(b"offline") + s("user") + s(b"secret"))
    yield "v311_connack", V311, packet(2, 0, b"\x01\x00")
    yield "v311_publish_qos0", V311, publish("sensors/device-42/temperature", PAYLOAD)
    yield "v311_publish_qos1_puback", V311 | 1 << 3, (
        publish("sensors/device-42/temperature", PAYLOAD, qos=1, pid=7, retain=True)
        + packet(4, 0, u16(7)))
    yield "v311_qos2_flow", V311 | 2 << 3, (
        publish("a/b", b"x", qos=2, pid=9, dup=True) + packet(5, 0, u16(9))
        + packet(6, 2, u16(9)) + packet(7, 0, u16(9)))
    yield "v311_subscribe_suback", V311 | 3 << 3, (
        packet(8, 2, u16(1) + s("sensors/+/temperature") + b"\x01" + s("alerts/#") + b"\x02")
        + packet(9, 0, u16(1) + b"\x01\x02\x80"))
    yield "v311_unsubscribe_unsuback", V311, (
        packet(10, 2, u16(2) + s("sensors/+/temperature") + s("alerts/#"))
        + packet(11, 0, u16(2)))
    yield "v311_ping_disconnect", V311 | 4 << 3, (
        packet(12, 0, b"") + packet(13, 0, b"") + packet(14, 0, b""))
    # A whole 3.1.1 client session, the version coming from the CONNECT.
    yield "v311_session", UNSET | 5 << 3, (
        connect(4, "", 0x02) + packet(8, 2, u16(1) + s("t/#") + b"\x00")
        + publish("t/1", b"hello", qos=1, pid=2) + packet(12, 0, b"") + packet(14, 0, b""))
    # --- MQTT 3.1 ---
    yield "v31_session", UNSET | 6 << 3, (
        connect(3, "legacy-client", 0x02, keep_alive=30)
        + publish("legacy/topic", b"payload") + packet(14, 0, b""))
    # --- MQTT 5.0 ---
    will_props = props(p_u32(0x18, 30), p_byte(0x01, 1), p_str(0x03, "text/plain"))
    yield "v5_connect_props_will", UNSET, connect(
        5, "sensor-42", 0x02 | 0x04 | (1 << 3) | 0x80 | 0x40,
        conn_props=props(p_u32(0x11, 3600), p_u16(0x21, 100), p_u16(0x22, 10),
                         p_u32(0x27, 65536), p_byte(0x17, 1), p_user("region", "eu")),
        rest=will_props + s("devices/sensor-42/status") + s(b"offline") + s("user") + s(b"pw"))
    yield "v5_connack_props", V5, packet(2, 0, b"\x00\x00" + props(
        p_u16(0x21, 20), p_byte(0x24, 1), p_byte(0x25, 1), p_u32(0x27, 1048576),
        p_str(0x12, "auto-1"), p_u16(0x22, 16), p_byte(0x28, 1), p_byte(0x29, 1),
        p_byte(0x2A, 0), p_u16(0x13, 30)))
    pub_props = props(p_u32(0x02, 60), p_str(0x03, "application/json"),
                      p_user("unit", "celsius"), p_user("source", "device-42"))
    yield "v5_publish_qos0_props", V5, publish(
        "sensors/device-42/temperature", PAYLOAD, v5_props=pub_props)
    yield "v5_publish_qos1_puback", V5 | 1 << 3, (
        publish("sensors/device-42/temperature", PAYLOAD, qos=1, pid=42, v5_props=props(
            p_byte(0x01, 1), p_str(0x08, "replies/42"), p_str(0x09, b"\x00\x01corr"),
            p_varint(0x0B, 300), p_u16(0x23, 5)))
        + packet(4, 0, u16(42)) + packet(4, 0, u16(43) + b"\x10")
        + packet(4, 0, u16(44) + b"\x87" + props(p_str(0x1F, "not authorized"))))
    yield "v5_qos2_flow_alias", V5 | 2 << 3, (
        publish("", b"aliased", qos=2, pid=3, v5_props=props(p_u16(0x23, 5)))
        + packet(5, 0, u16(3) + b"\x00" + props()) + packet(6, 2, u16(3) + b"\x92")
        + packet(7, 0, u16(3) + b"\x00" + props(p_user("k", "v"))))
    yield "v5_subscribe_suback", V5 | 3 << 3, (
        packet(8, 2, u16(5) + props(p_varint(0x0B, 17), p_user("a", "b"))
               + s("sensors/+/temperature") + bytes([0x01 | 0x04 | 0x08 | 0x10])
               + s("$share/group/alerts/#") + bytes([0x02 | 0x20])
               + s("status") + b"\x00")
        + packet(9, 0, u16(5) + props(p_str(0x1F, "ok")) + b"\x01\x02\xa2"))
    yield "v5_unsubscribe_unsuback", V5 | 4 << 3, (
        packet(10, 2, u16(6) + props(p_user("x", "y")) + s("sensors/+/temperature") + s("status"))
        + packet(11, 0, u16(6) + props() + b"\x00\x11"))
    yield "v5_auth_ping_disconnect", V5 | 5 << 3, (
        packet(15, 0, b"\x18" + props(p_str(0x15, "SCRAM-SHA-1"), p_str(0x16, b"\x01\x02\x03")))
        + packet(12, 0, b"") + packet(13, 0, b"")
        + packet(14, 0, b"\x04" + props(p_u32(0x11, 0), p_str(0x1F, "bye"))))
    yield "v5_session", UNSET | 6 << 3, (
        connect(5, "", 0x02, conn_props=props(p_u32(0x11, 10)))
        + packet(8, 2, u16(1) + props() + s("t/#") + b"\x01")
        + publish("t/1", b"hello", qos=1, pid=2, v5_props=props())
        + packet(4, 0, u16(2)) + packet(14, 0, b""))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "stream_decoder")
    os.makedirs(out, exist_ok=True)
    for name, selector, data in seeds():
        blob = bytes([selector]) + data
        assert len(blob) < 1024, name
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
