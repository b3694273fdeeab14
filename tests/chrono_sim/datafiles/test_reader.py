"""Reading data files back: every format round-trips a tape; the reader is lenient where safe."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

import chrono_sim.datafiles.reader as reader_module
from chrono_cli.commands.tail.json_sink import with_receive_time
from chrono_sim.datafiles import SUPPORTED_SUFFIXES, open_writer, read_tape
from chrono_sim.datafiles.tape import Tape
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.timestamps import format_timestamp

T0 = 1_760_106_600_123  # 2025-10-10T14:30:00.123Z


def market(size: int = 3000, seed: int = 3) -> Tape:
    """A time-ordered tape whose tables list names in order of first appearance."""
    rng = np.random.default_rng(seed)
    symbol = rng.integers(0, 3, size).astype(np.int32)
    symbol[:3] = [0, 1, 2]
    source = rng.integers(0, 2, size).astype(np.int32)
    source[:2] = [0, 1]
    volume = np.round(rng.lognormal(5, 2, size), 2)
    volume[::5] = np.nan
    return Tape(
        ("BTC/USD", "ETH/USD", 'Q,"X'),
        ("coinbase", "kraken"),
        T0 + np.cumsum(rng.integers(0, 400, size)).astype(np.int64),
        symbol,
        source,
        np.maximum(np.round(rng.lognormal(3, 3, size), 6), 1e-6),
        volume,
    )


def assert_same(actual: Tape, expected: Tape) -> None:
    assert (actual.symbols, actual.sources) == (expected.symbols, expected.sources)
    for column in ("time_ms", "symbol", "source", "price", "volume"):
        assert np.array_equal(getattr(actual, column), getattr(expected, column), equal_nan=True)
    assert actual.symbol.dtype == np.int32
    assert actual.time_ms.dtype == np.int64


def write(path: Path, text: str | bytes) -> Path:
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_a_tape_round_trips_through_every_format(tmp_path: Path, suffix: str) -> None:
    original = market()
    with open_writer(tmp_path / f"day{suffix}") as writer:
        writer.write_tape(original.take(slice(0, 1000)))
        writer.write_tape(original.take(slice(1000, None)))
    read = read_tape(tmp_path / f"day{suffix}")
    assert_same(read.tape, original)
    assert (read.skipped, read.first_problem) == (0, None)


def test_tables_list_names_in_order_of_first_appearance(tmp_path: Path) -> None:
    lines = [
        ("ETH/USD", "kraken"),
        ("BTC/USD", "coinbase"),
        ("ETH/USD", "binance"),
    ]
    text = "".join(
        f'{{"type":"price_update","symbol":"{symbol}","price":1,"volume":null,'
        f'"timestamp":"2025-10-10T14:30:00.000Z","source":"{source}"}}\n'
        for symbol, source in lines
    )
    read = read_tape(write(tmp_path / "d.jsonl", text)).tape
    assert read.symbols == ("ETH/USD", "BTC/USD")
    assert read.sources == ("kraken", "coinbase", "binance")
    assert read.symbol.tolist() == [0, 1, 0]


def test_lines_out_of_time_order_come_back_sorted_keeping_ties_in_file_order(
    tmp_path: Path,
) -> None:
    text = (
        "timestamp,symbol,price,volume,source\n"
        "2025-10-10T14:30:00.002Z,A,1.0,,x\n"
        "2025-10-10T14:30:00.001Z,B,2.0,,x\n"
        "2025-10-10T14:30:00.002Z,C,3.0,,x\n"
        "2025-10-10T14:30:00.001Z,D,4.0,,x\n"
    )
    read = read_tape(write(tmp_path / "d.csv", text)).tape
    assert [read.symbols[code] for code in read.symbol] == ["B", "D", "A", "C"]
    assert read.price.tolist() == [2.0, 4.0, 1.0, 3.0]
    assert np.all(np.diff(read.time_ms) >= 0)


def test_chrono_tail_json_output_with_received_at_reads_back(tmp_path: Path) -> None:
    original = market(50)
    hub = Hub()
    lines = [
        with_receive_time(hub.publish(quote).decode(), quote.time + 0.25) + "\n"
        for quote in original.quotes()
    ]
    assert '"received_at"' in lines[0]
    assert_same(read_tape(write(tmp_path / "tail.ndjson", "".join(lines))).tape, original)


def test_extra_fields_blank_lines_and_crlf_are_accepted(tmp_path: Path) -> None:
    text = (
        "\r\n"
        '{"seq":7,"type":"price_update","symbol":"A","price":95000,"volume":0,'
        '"timestamp":"2025-10-10T14:30:00.000Z","source":"x","snapshot":true,"extra":[1,{}]}\r\n'
        "   \n"
        '  {"type":"price_update","symbol":"A","price":1.5,"volume":null,'
        '"timestamp":"2025-10-10T14:30:01.000Z","source":"x"}  \n'
        "\n"
    )
    read = read_tape(write(tmp_path / "d.jsonl.gz", text))
    assert read.tape.price.tolist() == [95000.0, 1.5]
    assert read.tape.volume[0] == 0.0
    assert np.isnan(read.tape.volume[1])
    assert read.skipped == 0


def test_a_utf8_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    text = "\ufefftimestamp,symbol,price,volume,source\n2025-10-10T14:30:00.000Z,A,1,2,x\n"
    assert len(read_tape(write(tmp_path / "excel.csv", text)).tape) == 1


def test_a_csv_with_crlf_line_ends_reads(tmp_path: Path) -> None:
    text = "timestamp,symbol,price,volume,source\r\n2025-10-10T14:30:00.000Z,A,1,,x\r\n"
    read = read_tape(write(tmp_path / "d.csv", text)).tape
    assert read.sources == ("x",)
    assert np.isnan(read.volume[0])


def test_the_last_line_needs_no_newline(tmp_path: Path) -> None:
    text = (
        '{"type":"price_update","symbol":"A","price":1,"volume":1,'
        '"timestamp":"2025-10-10T14:30:00.000Z","source":"x"}'
    )
    assert len(read_tape(write(tmp_path / "d.jsonl", text)).tape) == 1


def test_lines_split_across_read_blocks_are_joined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_module, "_BLOCK", 100)  # every line straddles blocks
    original = market(300)
    for suffix in (".jsonl", ".csv.gz"):
        with open_writer(tmp_path / f"d{suffix}") as writer:
            writer.write_tape(original)
        assert_same(read_tape(tmp_path / f"d{suffix}").tape, original)


def test_timestamps_read_as_epoch_milliseconds(tmp_path: Path) -> None:
    text = "timestamp,symbol,price,volume,source\n" + "".join(
        f"{format_timestamp(ms / 1000)},A,1,,x\n" for ms in (0, 951_782_400_000, T0)
    )
    read = read_tape(write(tmp_path / "d.csv", text)).tape
    assert read.time_ms.tolist() == [0, 951_782_400_000, T0]  # incl. 2000-02-29
