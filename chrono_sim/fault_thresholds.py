"""The default thresholds of a client's `FaultLedger` (`chrono tail --late-after/--stall-after`).

An update received this long after its own timestamp is late; this long a
silence, ended by a frame this late, is a stall. Here rather than in
`chrono_sim.client.ledger` because importing anything in `chrono_sim.client`
imports the WebSocket client too, which `chrono tail`'s command line (and the
Typer app's every command) must not wait for.
"""

DEFAULT_LATE_AFTER = 0.1
DEFAULT_STALL_AFTER = 1.0
