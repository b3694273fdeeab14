"""Defaults of the options the feed-reading commands share, importable without Typer.

`chrono_cli.options` builds the Typer options from them; `chrono_cli.tail_run`
reads them for the `chrono tail` that starts without Typer.
"""

DEFAULT_URL = "ws://localhost:3000/stream"
DEV_KEY = (
    "chrono_public_dev_key_001"  # chrono_sim.protocol.keys.DEV_KEY, not imported for start-up speed
)
API_KEY_ENV = "CHRONO_API_KEY"
