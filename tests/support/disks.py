"""A disk that fills up, for the tests of what a writer keeps when it does."""

from __future__ import annotations

import errno
import io
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class SmallDisk(io.FileIO):
    """A file on a disk with `room` bytes free: a short write, then ENOSPC, as the kernel does."""

    def __init__(self, path: str, room: int) -> None:
        super().__init__(path, "wb")
        self.room = room

    def write(self, data: ReadableBuffer, /) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        done = super().write(bytes(memoryview(data).cast("B")[: self.room]))
        self.room -= done
        return done
