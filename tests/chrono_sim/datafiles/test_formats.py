"""A data file's format comes from its extension: .jsonl/.ndjson or .csv, maybe plus .gz."""

from __future__ import annotations

from pathlib import Path

import pytest

from chrono_sim.datafiles import SUPPORTED_SUFFIXES, open_writer, read_tape
from chrono_sim.datafiles.formats import FileFormat, Layout, file_format
from chrono_sim.errors import DataFileError


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("day.jsonl", FileFormat(Layout.JSON_LINES, gzipped=False)),
        ("day.ndjson", FileFormat(Layout.JSON_LINES, gzipped=False)),
        ("day.csv", FileFormat(Layout.CSV, gzipped=False)),
        ("day.jsonl.gz", FileFormat(Layout.JSON_LINES, gzipped=True)),
        ("day.ndjson.gz", FileFormat(Layout.JSON_LINES, gzipped=True)),
        ("day.csv.gz", FileFormat(Layout.CSV, gzipped=True)),
        ("dir.v2/2025-10-10.jsonl", FileFormat(Layout.JSON_LINES, gzipped=False)),
    ],
)
def test_the_extension_names_the_format(name: str, expected: FileFormat) -> None:
    assert file_format(name) == expected


def test_extensions_are_case_insensitive() -> None:
    assert file_format("DAY.JSONL.GZ") == FileFormat(Layout.JSON_LINES, gzipped=True)
    assert file_format(Path("Day.Csv")) == FileFormat(Layout.CSV, gzipped=False)


def test_supported_suffixes_are_the_plain_and_gzipped_layouts() -> None:
    assert set(SUPPORTED_SUFFIXES) == {
        ".jsonl",
        ".ndjson",
        ".csv",
        ".jsonl.gz",
        ".ndjson.gz",
        ".csv.gz",
    }


@pytest.mark.parametrize("name", ["day.json", "day.txt", "day.gz", "day.txt.gz", "day", "jsonl"])
def test_any_other_extension_is_an_error_listing_the_supported_ones(name: str) -> None:
    with pytest.raises(DataFileError) as caught:
        file_format(name)
    assert name in str(caught.value)
    assert all(suffix in str(caught.value) for suffix in SUPPORTED_SUFFIXES)


def test_writing_an_unknown_format_creates_no_file(tmp_path: Path) -> None:
    target = tmp_path / "day.json"
    with pytest.raises(DataFileError, match="supported"):
        open_writer(target)
    assert not target.exists()


def test_reading_an_unknown_format_is_refused_before_opening(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="supported"):
        read_tape(tmp_path / "missing.parquet")
