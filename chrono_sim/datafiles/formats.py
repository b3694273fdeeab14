"""Which format a price data file is in, told by its name's extension."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from typing import Final

from chrono_sim.errors import DataFileError


class Layout(enum.Enum):
    """How each line holds an update."""

    JSON_LINES = "JSON lines"
    CSV = "CSV"


_LAYOUTS: Final = {".jsonl": Layout.JSON_LINES, ".ndjson": Layout.JSON_LINES, ".csv": Layout.CSV}
GZIP_SUFFIX: Final = ".gz"
SUPPORTED_SUFFIXES: Final[tuple[str, ...]] = (
    *_LAYOUTS,
    *(suffix + GZIP_SUFFIX for suffix in _LAYOUTS),
)


@dataclass(frozen=True, slots=True)
class FileFormat:
    layout: Layout
    gzipped: bool


def file_format(path: str | os.PathLike[str]) -> FileFormat:
    """The format `path`'s extension names (case-insensitive); `DataFileError` for any other."""
    name = os.fspath(path)
    lowered = os.path.basename(name).lower()
    gzipped = lowered.endswith(GZIP_SUFFIX)
    stem = lowered.removesuffix(GZIP_SUFFIX) if gzipped else lowered
    for suffix, layout in _LAYOUTS.items():
        if stem.endswith(suffix):
            return FileFormat(layout, gzipped)
    raise DataFileError(
        name, "unknown price data file extension; supported: " + ", ".join(SUPPORTED_SUFFIXES)
    )
