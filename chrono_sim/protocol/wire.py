"""WebSocket framing of server messages, done once per message instead of once per client.

The server frames each price update once and writes those same bytes to
every subscriber's socket, coalescing whatever is queued for one socket into
a single write. Server frames are never masked (RFC 6455, section 5.1) and
this server negotiates no extension, so a frame is a 2-10 byte header and
the payload unchanged.
"""

from __future__ import annotations

import struct

from chrono_sim.errors import MessageError

_FIN_TEXT = 0x81  # FIN bit set, opcode 1 (text)
_SHORT = 125
_MEDIUM = 0xFFFF


def text_frame(payload: bytes) -> bytes:
    """`payload` (UTF-8 JSON) as one complete, unmasked text frame."""
    size = len(payload)
    if size <= _SHORT:
        header = bytes((_FIN_TEXT, size))
    elif size <= _MEDIUM:
        header = struct.pack("!BBH", _FIN_TEXT, 126, size)
    else:
        header = struct.pack("!BBQ", _FIN_TEXT, 127, size)
    return header + payload


def text_payloads(data: bytes) -> list[bytes]:
    """The payloads of the unmasked text frames `text_frame` wrote back to back.

    The inverse of `text_frame` for tests and tools reading a server's output;
    raises `MessageError` on anything else (a cut frame, a masked or
    fragmented one, another opcode).
    """
    reader = FrameReader()
    payloads = reader.feed(data)
    if reader.pending:
        raise MessageError(f"{reader.pending} bytes of a cut-off frame at the end")
    return payloads


class FrameReader:
    """Splits a server's byte stream into text payloads, across reads of any size.

    Reads only what `text_frame` writes (unmasked, final text frames), which
    is all a `/stream` server sends but for the library's keepalive pings and
    the close frame: enough for a load generator, at a fraction of a full
    parser's cost per frame.
    """

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = b""

    @property
    def pending(self) -> int:
        """Bytes of a frame not yet complete."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        """The payloads of the frames completed by `data`; raises `MessageError` on others."""
        buffer = self._buffer + data if self._buffer else data
        payloads = []
        offset, end = 0, len(buffer)
        while end - offset >= 2:
            first, second = buffer[offset], buffer[offset + 1]
            if first != _FIN_TEXT or second & 0x80:
                raise MessageError(f"not an unmasked, final text frame: {first:#04x} {second:#04x}")
            size, start = second & 0x7F, offset + 2
            if size == 126:
                if end - start < 2:
                    break
                (size,) = struct.unpack_from("!H", buffer, start)
                start += 2
            elif size == 127:
                if end - start < 8:
                    break
                (size,) = struct.unpack_from("!Q", buffer, start)
                start += 8
            if start + size > end:
                break
            payloads.append(buffer[start : start + size])
            offset = start + size
        self._buffer = buffer[offset:]
        return payloads
