"""A bad data file is a `DataFileError` naming the file and the line, never a traceback."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chrono_sim.datafiles.reader as reader_module
from chrono_sim.datafiles import TapeRead, open_writer, read_tape
from chrono_sim.datafiles.tape import Tape
from chrono_sim.errors import DataFileError

GOOD_JSON = (
    '{"type":"price_update","symbol":"BTC/USD","price":95000.12,"volume":1.5,'
    '"timestamp":"2025-10-10T14:30:00.123Z","source":"coinbase","seq":1}'
)
HEADER = "timestamp,symbol,price,volume,source"
GOOD_CSV = "2025-10-10T14:30:00.123Z,BTC/USD,95000.12,1.5,coinbase"


def write(path: Path, text: str | bytes) -> Path:
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def error(path: Path, *, skip_bad: bool = False) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_tape(path, skip_bad=skip_bad)
    assert str(path) in str(caught.value)
    return caught.value


def with_field(field: str, value: str) -> str:
    """GOOD_JSON with `field` set to the raw JSON `value` (or removed, if value is empty)."""
    start = GOOD_JSON.index(f'"{field}":')
    end = GOOD_JSON.index(',"', start + 1)
    replacement = f'"{field}":{value}' if value else ""
    fixed = GOOD_JSON[:start] + replacement + GOOD_JSON[end:]
    return fixed.replace("{,", "{").replace(",,", ",")


BAD_JSON_LINES = [
    ("{", "malformed JSON"),
    ('{"type":"price_update",', "malformed JSON"),
    (GOOD_JSON + "x", "malformed JSON"),
    (GOOD_JSON + GOOD_JSON, "malformed JSON"),
    ("[1, 2]", "expected a JSON object, found an array"),
    ('"price_update"', "expected a JSON object, found a string"),
    ('{"type":"pong","timestamp":"2025-10-10T14:30:00.123Z"}', "not a price_update (type 'pong')"),
    (with_field("type", ""), "missing field `type`"),
    (with_field("symbol", ""), "missing field `symbol`"),
    (with_field("price", ""), "missing field `price`"),
    (with_field("volume", ""), "missing field `volume`"),
    (with_field("timestamp", ""), "missing field `timestamp`"),
    (with_field("symbol", '""'), "symbol is empty"),
    (with_field("symbol", "7"), "`symbol` must be a string, not a number"),
    (with_field("price", '"95000"'), "`price` must be a number, not a string"),
    (with_field("price", "0"), "price must be a finite number > 0, not 0.0"),
    (with_field("price", "-1.5"), "price must be a finite number > 0"),
    (with_field("price", "1e400"), "malformed JSON: a number is out of range"),
    (with_field("price", "NaN"), "malformed JSON"),
    (with_field("volume", "true"), "`volume` must be a number or null, not a boolean"),
    (with_field("volume", "-1"), "volume must be null or a finite number >= 0"),
    (with_field("timestamp", '"2025-10-10T14:30:00Z"'), "is not a valid ISO 8601 UTC time"),
    (with_field("timestamp", '"2025-10-10T14:30:00.123+00:00"'), "YYYY-MM-DDTHH:MM:SS.mmmZ"),
    (with_field("timestamp", '"2025-02-29T14:30:00.123Z"'), "2025-02-29T14:30:00.123Z"),
    (with_field("timestamp", '"2025-10-10T24:00:00.000Z"'), "not a valid ISO 8601"),
    (with_field("timestamp", "1760106600123"), "`timestamp` must be a string, not a number"),
    (with_field("source", '""'), "source is empty"),
]


@pytest.mark.parametrize(("line", "complaint"), BAD_JSON_LINES)
def test_a_malformed_json_line_names_the_file_and_line(
    tmp_path: Path, line: str, complaint: str
) -> None:
    caught = error(write(tmp_path / "bad.jsonl", f"{GOOD_JSON}\n\n{line}\n{GOOD_JSON}\n"))
    assert caught.line == 3
    assert "bad.jsonl, line 3: " in str(caught)
    assert complaint in caught.detail


def test_invalid_utf8_in_a_json_line_is_reported_with_its_line(tmp_path: Path) -> None:
    data = GOOD_JSON.encode() + b"\n" + GOOD_JSON.replace("BTC", "\xff").encode("latin-1")
    caught = error(write(tmp_path / "bad.jsonl", data))
    assert (caught.line, caught.detail) == (2, "text is not valid UTF-8")


BAD_CSV_LINES = [
    ("2025-10-10T14:30:00.123Z,BTC/USD,95000.12,1.5", "expected 5 cells"),
    (GOOD_CSV + ",extra", "found 6"),
    ("2025-10-10T14:30:00.123Z,BTC/USD,abc,1.5,coinbase", "price 'abc' is not a number"),
    ("2025-10-10T14:30:00.123Z,BTC/USD,,1.5,coinbase", "price '' is not a number"),
    ("2025-10-10T14:30:00.123Z,BTC/USD,nan,1.5,coinbase", "price must be a finite number"),
    ("2025-10-10T14:30:00.123Z,BTC/USD,inf,1.5,coinbase", "price must be a finite number"),
    ("2025-10-10T14:30:00.123Z,BTC/USD,1,nan,coinbase", "volume must be null or a finite"),
    ("2025-10-10T14:30:00.123Z,BTC/USD,1,x,coinbase", "volume 'x' is not a number"),
    ("2025-10-10 14:30:00.123Z,BTC/USD,1,1,coinbase", "not a valid ISO 8601"),
    ("2025-10-10T14:30:00.123Z,,1,1,coinbase", "symbol is empty"),
    ('2025-10-10T14:30:00.123Z,"BTC/USD,1,1,coinbase', "malformed CSV"),
]


@pytest.mark.parametrize(("line", "complaint"), BAD_CSV_LINES)
def test_a_malformed_csv_line_names_the_file_and_line(
    tmp_path: Path, line: str, complaint: str
) -> None:
    caught = error(write(tmp_path / "bad.csv.gz", f"{HEADER}\n{GOOD_CSV}\n{line}\n{GOOD_CSV}\n"))
    assert caught.line == 3
    assert complaint in caught.detail


def test_invalid_utf8_in_a_csv_line_is_reported_with_its_line(tmp_path: Path) -> None:
    data = f"{HEADER}\n{GOOD_CSV}\n".encode() + b"2025-10-10T14:30:00.123Z,\xff,1,1,x\n"
    caught = error(write(tmp_path / "bad.csv", data))
    assert (caught.line, caught.detail) == (3, "text is not valid UTF-8")


@pytest.mark.parametrize(
    "first", ["timestamp,symbol,price,volume", "symbol,timestamp,price,volume,source", GOOD_CSV]
)
def test_a_csv_without_the_header_is_refused_at_its_first_line(tmp_path: Path, first: str) -> None:
    caught = error(write(tmp_path / "bad.csv", f"\n{first}\n{GOOD_CSV}\n"), skip_bad=True)
    assert caught.line == 2
    assert "expected the header 'timestamp,symbol,price,volume,source'" in caught.detail


def test_the_first_bad_line_is_reported_even_deep_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_module, "_BLOCK", 1000)  # many blocks
    lines = [GOOD_JSON] * 500
    lines[321] = with_field("price", "-2")
    lines[400] = "{"
    assert error(write(tmp_path / "big.jsonl", "\n".join(lines))).line == 322


def test_skip_bad_leaves_bad_lines_out_and_counts_them(tmp_path: Path) -> None:
    lines = [GOOD_JSON, "{", GOOD_JSON, with_field("price", "0"), "", with_field("type", "")]
    read = read_tape(write(tmp_path / "d.jsonl", "\n".join(lines)), skip_bad=True)
    assert len(read.tape) == 2
    assert read.skipped == 3
    assert read.first_problem is not None
    assert read.first_problem.startswith("line 2: malformed JSON")


def test_skip_bad_keeps_bad_lines_out_of_the_tables(tmp_path: Path) -> None:
    text = f"{HEADER}\n2025-10-10T14:30:00.123Z,BAD,0,1,nowhere\n{GOOD_CSV}\n"
    read = read_tape(write(tmp_path / "d.csv", text), skip_bad=True)
    assert (read.tape.symbols, read.tape.sources) == (("BTC/USD",), ("coinbase",))


def test_skip_bad_scales_to_files_of_mostly_bad_lines(tmp_path: Path) -> None:
    lines = ["{", GOOD_JSON] * 1000 + ["{"] * 3000
    read = read_tape(write(tmp_path / "d.jsonl", "\n".join(lines)), skip_bad=True)
    assert (len(read.tape), read.skipped) == (1000, 4000)


def test_a_file_of_only_bad_lines_is_an_error_even_with_skip_bad(tmp_path: Path) -> None:
    caught = error(write(tmp_path / "d.jsonl", "{\n{\n"), skip_bad=True)
    assert "no valid price updates: all 2 were malformed (first at line 1:" in caught.detail


@pytest.mark.parametrize(
    ("name", "text", "complaint"),
    [
        ("d.jsonl", "", "the file is empty"),
        ("d.csv.gz", "", "the file is empty"),
        ("d.jsonl", "\n  \n\n", "holds no price updates"),
        ("d.csv", HEADER + "\n", "holds no price updates"),
        ("d.csv", "\n\n", "holds no price updates"),
    ],
)
def test_a_file_without_updates_is_an_error(
    tmp_path: Path, name: str, text: str, complaint: str
) -> None:
    caught = error(write(tmp_path / name, text))
    assert caught.line is None
    assert complaint in caught.detail


def gzipped_tape(path: Path, size: int = 20_000) -> bytes:
    tape = Tape(
        ("A",),
        ("x",),
        np.arange(size, dtype=np.int64) * 1000,
        np.zeros(size, np.int32),
        np.zeros(size, np.int32),
        np.linspace(1, 2, size),
        np.full(size, np.nan),
    )
    with open_writer(path) as writer:
        writer.write_tape(tape)
    return path.read_bytes()


def test_a_truncated_gzip_file_says_it_ends_early_after_which_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    whole = gzipped_tape(path)
    path.write_bytes(whole[: len(whole) // 2])
    caught = error(path)
    assert "the file ends early: the gzip data is cut off after line " in caught.detail
    lines = gzip.decompress(whole).splitlines()
    readable = zlib.decompressobj(wbits=31).decompress(whole[: len(whole) // 2])
    assert int(caught.detail.rsplit(" ", 1)[1]) == readable.count(b"\n") < len(lines)


def test_skip_bad_keeps_the_complete_lines_of_a_cut_off_gzip_file(tmp_path: Path) -> None:
    """What a killed recorder leaves is still worth replaying."""
    path = tmp_path / "cut.jsonl.gz"
    whole = gzipped_tape(path)
    path.write_bytes(whole[: len(whole) // 2])
    complete = zlib.decompressobj(wbits=31).decompress(whole[: len(whole) // 2]).count(b"\n")

    read = read_tape(path, skip_bad=True)

    assert len(read.tape) == complete
    assert read.skipped == 1
    assert read.first_problem == (
        f"line {complete + 1}: the file ends early: the gzip data is cut off"
    )


def test_a_gzip_file_cut_inside_its_first_line_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(GOOD_JSON.encode())[:20])
    assert "within line 1" in error(path).detail


def test_corrupt_gzip_data_is_reported_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl.gz"
    data = bytearray(gzipped_tape(path))
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    path.write_bytes(bytes(data))
    assert "corrupt" in error(path, skip_bad=True).detail


def test_a_plain_file_named_gz_is_reported_as_not_gzip(tmp_path: Path) -> None:
    path = tmp_path / "plain.jsonl.gz"
    path.write_text(GOOD_JSON + "\n")
    assert "not gzip" in error(path).detail


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    assert error(tmp_path / "missing.jsonl").detail == "cannot open: no such file or directory"


def test_a_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    assert error(tmp_path / "dir.csv").detail == "cannot open: is a directory"


def test_a_path_through_a_file_is_reported(tmp_path: Path) -> None:
    # Works whoever runs the tests; a chmod 0 file would not stop root.
    not_a_directory = write(tmp_path / "plain.jsonl", GOOD_JSON)
    assert error(not_a_directory / "d.jsonl").detail == (
        "cannot open: a part of the path is not a directory"
    )


def test_an_absurdly_long_line_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader_module, "_BLOCK", 64)
    monkeypatch.setattr(reader_module, "_MAX_LINE", 1000)
    caught = error(write(tmp_path / "d.jsonl", GOOD_JSON + "\n" + "x" * 5000))
    assert (caught.line, caught.detail) == (2, "line is longer than 64 MiB")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(["f.jsonl", "f.csv", "f.jsonl.gz"]),
    st.lists(
        st.sampled_from([GOOD_JSON, HEADER, GOOD_CSV, "", "{", ",,,,", '"', "\r"])
        | st.text(max_size=40)
        | st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
        max_size=8,
    ),
    st.booleans(),
)
def test_any_content_reads_or_raises_a_data_file_error(
    tmp_path: Path, name: str, lines: list[str], skip_bad: bool
) -> None:
    path = write(tmp_path / name, "\n".join(lines).encode("utf-8", "surrogatepass"))
    outcome: object
    try:
        outcome = read_tape(path, skip_bad=skip_bad)
    except DataFileError as exc:
        outcome = exc
    if isinstance(outcome, DataFileError):
        assert str(path) in str(outcome)
    else:
        assert isinstance(outcome, TapeRead)
        assert len(outcome.tape) > 0
