"""`chrono serve --replay FILE`: the replay source, and the line that describes it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from chrono_cli.commands.serve.options import MAX_SPEED

if TYPE_CHECKING:
    from chrono_sim.datafiles.tape import Tape
    from chrono_sim.protocol.clock import Clock
    from chrono_sim.sources import ReplaySource

Announcement = tuple[int, str]  # a logging level and a message, logged once listening


def replay_source(
    path: Path,
    clock: Clock,
    *,
    speed: float,
    loop: bool,
    window: tuple[str | None, str | None],
    keep_timestamps: bool,
    skip_bad_lines: bool,
) -> tuple[ReplaySource, list[Announcement]]:
    """Read, cut and wrap `path`; raises `ConfigError` (a `DataFileError` for the file)."""
    from chrono_sim.datafiles import read_tape
    from chrono_sim.errors import DataFileError
    from chrono_sim.sources import ReplaySource, cut_window

    announcements: list[Announcement] = []
    read = read_tape(path, skip_bad=skip_bad_lines)
    if read.skipped:
        announcements.append(
            (
                logging.WARNING,
                f"skipped {read.skipped:,} malformed line{'s' * (read.skipped != 1)} "
                f"of {path}; the first: {read.first_problem}",
            )
        )
    if not len(read.tape):
        raise DataFileError(str(path), "no price update to replay")
    tape = cut_window(read.tape, *window)
    source = ReplaySource(
        tape,
        clock=clock,
        speed=None if speed == MAX_SPEED else speed,
        loop=loop,
        keep_timestamps=keep_timestamps,
    )
    announcements.append((logging.INFO, format_replay(path, tape, speed, loop, keep_timestamps)))
    return source, announcements


def format_replay(path: Path | str, tape: Tape, speed: float, loop: bool, keep: bool) -> str:
    """One line saying what a replay plays and how, e.g. for the server's log."""
    from chrono_sim.durations import format_duration
    from chrono_sim.protocol.timestamps import format_timestamp

    first, last = int(tape.time_ms[0]), int(tape.time_ms[-1])
    span = (last - first) / 1000
    symbols = len(set(tape.symbol.tolist()))
    if speed == MAX_SPEED:
        pace = "at max speed (as fast as the clients read)"
    else:
        pace = f"at {speed:g}x" + (
            f" ({format_duration(round(span / speed))} a pass)" if span else ""
        )
    return (
        f"replaying {path}: {len(tape):,} updates of {symbols} symbol{'s' * (symbols != 1)}, "
        f"{format_timestamp(first / 1000)} to {format_timestamp(last / 1000)} "
        f"({format_duration(round(span))}), {pace}"
        f"{', looping' if loop else ''}, "
        f"{'recorded timestamps' if keep else 'timestamps rebased to now'}; "
        "it starts when a client subscribes"
    )
