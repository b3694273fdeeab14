"""Writing data files: JSON lines are the hub's frames byte for byte; CSV has a header."""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chrono_sim.datafiles import open_writer, read_tape
from chrono_sim.datafiles.tape import Tape
from chrono_sim.datafiles.tokens import int_tokens
from chrono_sim.errors import DataFileError
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.messages import PriceUpdate, encode
from chrono_sim.protocol.timestamps import format_timestamp

T0 = 1_760_106_600_123  # 2025-10-10T14:30:00.123Z


def tape(
    rows: Sequence[tuple[int, str, float, float | None, str]],
    symbols: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
) -> Tape:
    """A tape of (time_ms, symbol, price, volume, source) rows."""
    symbols = list(symbols or dict.fromkeys(row[1] for row in rows))
    sources = list(sources or dict.fromkeys(row[4] for row in rows))
    return Tape(
        tuple(symbols),
        tuple(sources),
        np.array([row[0] for row in rows], dtype=np.int64),
        np.array([symbols.index(row[1]) for row in rows], dtype=np.int32),
        np.array([sources.index(row[4]) for row in rows], dtype=np.int32),
        np.array([row[2] for row in rows], dtype=np.float64),
        np.array([np.nan if row[3] is None else row[3] for row in rows], dtype=np.float64),
    )


def written(path: Path, *tapes: Tape) -> list[bytes]:
    with open_writer(path) as writer:
        for each in tapes:
            writer.write_tape(each)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        return file.read().splitlines(keepends=True)


def test_a_json_line_is_the_hub_frame_of_the_same_update(tmp_path: Path) -> None:
    rows = [
        (T0, "BTC/USD", 95000.12, 1234.5, "coinbase"),
        (T0 + 1, "BTC/USD", 95000.0, None, "kraken"),
        (T0 + 2, "SHIB/USD", 1e-06, 0.0, "binance"),
        (T0 + 999, "SHIB/USD", 0.1 + 0.2, 1e16, "binance"),
        (T0 + 86_400_000, "ETH/USD", 1.7976931348623157e308, 5e-324, "coinbase"),
    ]
    hub = Hub()
    frames = [hub.publish(quote) + b"\n" for quote in tape(rows).quotes()]
    assert written(tmp_path / "day.jsonl", tape(rows)) == frames


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            # 2020 to 2033: where format_timestamp(ms / 1000) is exact to the millisecond
            st.integers(1_600_000_000_000, 1_999_999_999_999),
            st.sampled_from(["BTC/USD", "ETH/USD", 'Q"\\/ü,€']),
            st.floats(min_value=5e-324, max_value=1.7e308, allow_infinity=False),
            st.none() | st.floats(min_value=0, max_value=1.7e308, allow_infinity=False),
            st.sampled_from(["coinbase", "kraken"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_any_update_is_written_as_encode_writes_it(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[int, str, float, float | None, str]],
) -> None:
    counts: Counter[str] = Counter()
    expected = []
    for time_ms, symbol, price, volume, source in rows:
        counts[symbol] += 1
        update = PriceUpdate(
            symbol=symbol,
            price=price,
            volume=volume,
            timestamp=format_timestamp(time_ms / 1000),
            source=source,
            seq=counts[symbol],
        )
        expected.append(encode(update) + b"\n")
    path = tmp_path_factory.mktemp("prop") / "any.jsonl"
    assert written(path, tape(rows)) == expected


def seqs(lines: list[bytes]) -> list[tuple[str, int]]:
    return [(message["symbol"], message["seq"]) for message in map(msgspec.json.decode, lines)]


def test_seq_counts_each_symbol_from_one(tmp_path: Path) -> None:
    rows = [(T0 + i, symbol, 1.0, 1.0, "x") for i, symbol in enumerate("ABAACB")]
    assert seqs(written(tmp_path / "d.jsonl", tape(rows))) == [
        ("A", 1),
        ("B", 1),
        ("A", 2),
        ("A", 3),
        ("C", 1),
        ("B", 2),
    ]


def test_seq_continues_across_write_tape_calls_whatever_the_tables(tmp_path: Path) -> None:
    first = tape([(T0, "A", 1.0, 1.0, "x"), (T0, "B", 1.0, 1.0, "x")])
    second = tape([(T0 + 1, "B", 1.0, 1.0, "y"), (T0 + 2, "A", 1.0, 1.0, "y")], ["B", "A"])
    assert seqs(written(tmp_path / "d.jsonl", first, second)) == [
        ("A", 1),
        ("B", 1),
        ("B", 2),
        ("A", 2),
    ]


def test_seq_numbering_runs_on_across_chunks(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    names = rng.choice(["A", "B", "C"], size=5000).tolist()
    rows = [(T0 + i, name, 1.5, None, "x") for i, name in enumerate(names)]
    counts: Counter[str] = Counter()
    expected = []
    for name in names:
        counts[name] += 1
        expected.append((name, counts[name]))
    assert seqs(written(tmp_path / "d.jsonl", tape(rows))) == expected


def test_large_seq_numbers_are_written_in_full() -> None:
    values = np.array([0, 7, 131_071, 131_072, 10**12], dtype=np.int64)
    assert int_tokens(values) == ["0", "7", "131071", "131072", "1000000000000"]


def received(seq: int, *, snapshot: bool | msgspec.UnsetType = msgspec.UNSET) -> PriceUpdate:
    return PriceUpdate(
        symbol="BTC/USD",
        price=95000.5,
        volume=None,
        timestamp="2025-10-10T14:30:00.123Z",
        source="coinbase",
        seq=seq,
        snapshot=snapshot,
    )


def test_write_update_keeps_the_received_seq_and_drops_the_snapshot_flag(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with open_writer(path) as writer:
        writer.write_update(received(41, snapshot=True))
        writer.write_update(received(42, snapshot=False))
    assert path.read_bytes() == encode(received(41)) + b"\n" + encode(received(42)) + b"\n"


def test_a_tape_after_a_received_update_continues_its_seq(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with open_writer(path) as writer:
        writer.write_update(received(41))
        writer.write_tape(tape([(T0 + 1, "BTC/USD", 1.0, 1.0, "x")]))
    assert seqs(path.read_bytes().splitlines()) == [("BTC/USD", 41), ("BTC/USD", 42)]


def test_csv_starts_with_the_header_and_leaves_a_null_volume_empty(tmp_path: Path) -> None:
    rows = [(T0, "BTC/USD", 95000.12, 1234.5, "coinbase"), (T0 + 1, "BTC/USD", 1e-06, None, "x")]
    assert written(tmp_path / "d.csv", tape(rows)) == [
        b"timestamp,symbol,price,volume,source\n",
        b"2025-10-10T14:30:00.123Z,BTC/USD,95000.12,1234.5,coinbase\n",
        b"2025-10-10T14:30:00.124Z,BTC/USD,1e-6,,x\n",
    ]


def test_csv_quotes_cells_holding_commas_or_quotes(tmp_path: Path) -> None:
    rows = [(T0, 'A,"B"', 2.0, 1.0, "ex,change")]
    assert written(tmp_path / "d.csv", tape(rows))[1] == (
        b'2025-10-10T14:30:00.123Z,"A,""B""",2.0,1.0,"ex,change"\n'
    )


def test_csv_write_update_matches_write_tape(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    with open_writer(path) as writer:
        writer.write_update(received(1))
    assert path.read_bytes().splitlines()[1] == (
        b"2025-10-10T14:30:00.123Z,BTC/USD,95000.5,,coinbase"
    )


def test_an_empty_csv_file_still_has_its_header(tmp_path: Path) -> None:
    assert written(tmp_path / "d.csv", Tape.empty()) == [b"timestamp,symbol,price,volume,source\n"]


def test_written_counts_the_updates(tmp_path: Path) -> None:
    with open_writer(tmp_path / "d.jsonl") as writer:
        writer.write_tape(tape([(T0, "A", 1.0, 1.0, "x"), (T0, "B", 1.0, 1.0, "x")]))
        writer.write_update(received(1))
        assert writer.written == 3
        assert writer.path == str(tmp_path / "d.jsonl")


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".csv.gz"])
def test_flush_makes_every_line_readable_before_close(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"live{suffix}"
    writer = open_writer(path)
    writer.write_update(received(1))
    writer.write_update(received(2))
    writer.flush()
    data = path.read_bytes()
    if suffix.endswith(".gz"):
        data = zlib.decompressobj(wbits=31).decompress(data)  # no trailer yet: decode what is there
    assert data.count(b"2025-10-10T14:30:00.123Z") == 2
    writer.close()


def test_close_completes_a_gzip_file_and_can_be_repeated(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl.gz"
    writer = open_writer(path)
    writer.write_tape(tape([(T0, "A", 1.0, 1.0, "x")]))
    writer.close()
    writer.close()
    assert len(read_tape(path).tape) == 1


def test_gzip_output_is_reproducible(tmp_path: Path) -> None:
    rows = [(T0, "A", 1.0, 1.0, "x")]
    first = written(tmp_path / "a.csv.gz", tape(rows))
    assert first == written(tmp_path / "a.csv.gz", tape(rows))
    assert (tmp_path / "a.csv.gz").read_bytes()[4:8] == b"\0\0\0\0"  # no modification time


def test_writing_after_close_is_an_error(tmp_path: Path) -> None:
    writer = open_writer(tmp_path / "d.jsonl")
    writer.close()
    with pytest.raises(DataFileError, match="closed"):
        writer.write_update(received(1))


@pytest.mark.parametrize(
    ("price", "volume", "rule"),
    [(0.0, 1.0, "price"), (float("nan"), 1.0, "price"), (1.0, -1.0, "volume")],
)
def test_a_tape_that_could_not_be_read_back_is_refused(
    tmp_path: Path, price: float, volume: float, rule: str
) -> None:
    bad = tape([(T0, "A", 1.0, 1.0, "x"), (T0, "A", price, volume, "x")])
    with open_writer(tmp_path / "d.jsonl") as writer, pytest.raises(DataFileError) as caught:
        writer.write_tape(bad)
    assert f"update 1 of the tape: {rule}" in str(caught.value)


def test_a_file_that_cannot_be_created_is_a_data_file_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such file or directory") as caught:
        open_writer(tmp_path / "missing" / "d.jsonl")
    assert str(tmp_path / "missing" / "d.jsonl") in str(caught.value)


def test_quotes_of_a_tape_published_by_the_hub_read_back_as_the_tape(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    original = tape([(T0, "A", 2.5, None, "x"), (T0 + 5, "B", 3.5, 7.0, "y")])
    hub = Hub()
    with open_writer(path) as writer:
        for quote in original.quotes():
            writer.write_update(msgspec.json.decode(hub.publish(quote), type=PriceUpdate))
    assert list(read_tape(path).tape.quotes()) == list(original.quotes())
