"""Plain words for the operating system errors a data file meets: `chrono_sim.failures`'."""

from __future__ import annotations

from chrono_sim.failures import describe_os_error

__all__ = ["os_detail"]

os_detail = describe_os_error  # what went wrong, without the path (the caller's error names it)
