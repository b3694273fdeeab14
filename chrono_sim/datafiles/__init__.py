"""Price data files: JSON lines (each line a `price_update` as on the wire) and CSV.

Either may be gzipped; the extension says which (`SUPPORTED_SUFFIXES`).
`open_writer` writes tapes or received updates; `read_tape` reads a file back
into a `Tape`. Every failure is a `DataFileError` naming the file and, for a
malformed line, the line.
"""

from chrono_sim.datafiles.formats import SUPPORTED_SUFFIXES, file_format
from chrono_sim.datafiles.reader import TapeRead, read_tape
from chrono_sim.datafiles.writer import UpdateWriter, open_writer

__all__ = [
    "SUPPORTED_SUFFIXES",
    "TapeRead",
    "UpdateWriter",
    "file_format",
    "open_writer",
    "read_tape",
]
