"""Plain words for the operating system errors a data file meets."""

from __future__ import annotations

import errno
from typing import Final

_WORDS: Final = {
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ENOSPC: "no space left on the device",
}


def os_detail(exc: OSError) -> str:
    """What went wrong, without the path (the caller's error names it)."""
    if exc.errno in _WORDS:
        return _WORDS[exc.errno]
    return exc.strerror or str(exc) or type(exc).__name__
