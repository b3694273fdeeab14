"""Server frames are built once per message; they must be exactly what RFC 6455 says."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from chrono_sim.errors import MessageError
from chrono_sim.protocol.wire import FrameReader, text_frame, text_payloads


def parse_with_websockets(data: bytes) -> Frame:
    """Read one frame with the websockets library's own parser, as a client would."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        frame: Frame = done.value
        return frame
    raise AssertionError("the parser wanted more bytes than the frame holds")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 1 << 20])
def test_a_text_frame_is_what_websockets_parses_at_every_length_boundary(size: int) -> None:
    payload = b"x" * size
    frame = parse_with_websockets(text_frame(payload))
    assert (frame.opcode, frame.fin, frame.data) == (Opcode.TEXT, True, payload)


@pytest.mark.parametrize("size", [0, 125, 126, 65536])
def test_a_text_frame_is_byte_for_byte_what_websockets_would_send(size: int) -> None:
    payload = b"y" * size
    assert text_frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False)


def test_frames_written_back_to_back_read_back_as_their_payloads() -> None:
    payloads = [b'{"type":"pong"}', b"z" * 300, b"", b"w" * 70000]
    assert text_payloads(b"".join(map(text_frame, payloads))) == payloads


@pytest.mark.parametrize(
    "data",
    [
        text_frame(b"abc")[:-1],  # payload cut off
        text_frame(b"a" * 200)[:3],  # extended length cut off
        b"\x81",  # header cut off
        Frame(Opcode.TEXT, b"abc").serialize(mask=True),  # a client's masked frame
        b"\x82\x00",  # binary
        b"\x01\x00",  # a first fragment
    ],
)
def test_anything_but_whole_unmasked_text_frames_is_refused(data: bytes) -> None:
    with pytest.raises(MessageError):
        text_payloads(data)


def test_a_stream_cut_at_every_byte_still_reads_as_the_same_payloads() -> None:
    payloads = [b'{"type":"pong"}', b"z" * 300, b"w" * 70000, b"end"]
    stream = b"".join(map(text_frame, payloads))
    for cut in [1, 2, 3, 4, 5, 10, 17, 300, 70_000]:
        reader = FrameReader()
        read = []
        for offset in range(0, len(stream), cut):
            read.extend(reader.feed(stream[offset : offset + cut]))
        assert read == payloads
        assert reader.pending == 0
