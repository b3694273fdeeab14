"""The protocol core: every rule of `/stream`, with no I/O.

Messages and their wire framing (`messages`, `wire`, `timestamps`), one
connection's state machine (`session`, with its `outbox`), the fan-out of
published prices (`hub`), who may connect and how often (`keys`, `auth`,
`admission`, `ratelimit`), what may be subscribed (`catalog`), the limits of
decisions.md (`limits`), a price as a source gives it (`quote`) and time
(`clock`). Nothing here imports asyncio, websockets, numpy or prometheus_client,
or reads a file or a socket: text in, frames out, time passed in. The import
contracts in `pyproject.toml` and `tests/protocol/test_purity.py` hold it so.
"""
