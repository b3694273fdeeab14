"""Exit codes shared by every `chrono` command."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1  # anything not named below
    USAGE = 2  # bad command line (as click and most Unix tools use it)
    CONFIG = 3  # a setting or file the user gave is unusable
    UNAVAILABLE = 4  # cannot listen or connect: port taken, host unreachable
    UNAUTHORIZED = 5  # the server refused the API key (4401)
    REFUSED = 6  # the server refused the request: unknown symbol, too many symbols
    INTERRUPTED = 130  # Ctrl-C where that is not the normal way to stop
