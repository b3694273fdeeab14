"""The one exception tree of Chrono Sim.

::

    ChronoError                 anything this package raises on purpose
    ├── ConfigError             a setting or file the user gave is unusable
    │   ├── KeysFileError       the API keys TOML file is unreadable or invalid
    │   ├── DataFileError       a price data file (JSON lines or CSV) is unreadable or
    │   │                       malformed; names the file and, where known, the line
    │   └── FaultSpecError      one fault of a `--fault` SPEC has an unusable value
    ├── MessageError            a client message breaks the protocol's shape rules
    │                           (the session turns it into a VALIDATION_ERROR reply)
    ├── ClientError             the feed client (or `chrono check`) cannot go on
    │   ├── InvalidUrlError     the server URL is not a ws:// or wss:// URL
    │   ├── ServerUnreachableError  no WebSocket connection at all: network, TLS,
    │   │                       timeout, or the handshake answered with an HTTP status
    │   ├── AuthenticationError the server refused the API key (4401): retrying cannot help
    │   ├── RequestRefusedError the server refused the subscription itself
    │   │                       (UNKNOWN_SYMBOL, SUBSCRIPTION_LIMIT, VALIDATION_ERROR),
    │   │                       or the connection for a limit (CONNECTION_LIMIT)
    │   └── SymbolsUnavailableError  the server's `/symbols` list cannot be fetched or read
    └── CheckVerdict            inside `chrono check`: a rule was not passed (not an error
        │                       of the checker; the runner turns it into a result row)
        ├── CheckFailed         the server broke the rule under check
        └── CheckSkipped        the rule could not be judged this time

Internal signals, caught where they are raised and never seen by a caller, also
derive from `ChronoError`: `chrono_sim.datafiles.rows.BadLine` (a malformed line
found while parsing a block; it carries the rows before it, so it lives there).

In the server, protocol refusals (unknown key, limits, unknown symbols) are not
exceptions: they are ordinary replies of the session, because the connection goes on.
"""

from __future__ import annotations


class ChronoError(Exception):
    """Base of every error Chrono Sim raises deliberately."""


class ConfigError(ChronoError):
    """A configuration value or file given by the user cannot be used."""


class KeysFileError(ConfigError):
    """The API keys file is missing, is not valid TOML, or holds an invalid entry."""


class DataFileError(ConfigError):
    """A price data file cannot be read or written.

    `path` names the file; `line` is the 1-based line at fault, when there is one.
    """

    def __init__(self, path: str, detail: str, *, line: int | None = None) -> None:
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"{where}: {detail}")
        self.path = path
        self.line = line
        self.detail = detail


class FaultSpecError(ConfigError):
    """One `kind` of fault (`drop`, `delay`, ...) was given an unusable value.

    `parse_faults` re-raises it quoting the value as the spec spelled it.
    """

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"fault {kind}: {detail}")
        self.kind = kind
        self.detail = detail


class MessageError(ChronoError):
    """A client message is not valid JSON or does not have the required shape.

    `message_id` carries the client's `id` when it could still be read, so the
    error reply can echo it.
    """

    def __init__(self, detail: str, message_id: int | str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.message_id = message_id


class ClientError(ChronoError):
    """The feed client stopped for a reason that reconnecting cannot fix."""


class InvalidUrlError(ClientError):
    """The server URL cannot be used (not ws:// or wss://, no host)."""


class ServerUnreachableError(ClientError):
    """No WebSocket connection could be opened: refused, unresolvable, TLS, timeout, HTTP status."""


class AuthenticationError(ClientError):
    """The server refused the API key (error UNAUTHORIZED, close 4401)."""


class RequestRefusedError(ClientError):
    """The server refused a subscription (or a connection, for a limit); retrying won't help now.

    `code` is the protocol error code; `symbols` the symbols it names, if any.
    """

    def __init__(self, message: str, *, code: str, symbols: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.symbols = symbols


class SymbolsUnavailableError(ClientError):
    """The server's symbol list (`GET /symbols`) could not be fetched or read."""


class CheckVerdict(ChronoError):  # noqa: N818 - a verdict on the server, not an error of ours
    """A check of `chrono check` ended without a pass; `detail` says why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class CheckFailed(CheckVerdict):
    """The server broke the rule under check; `detail` says how."""


class CheckSkipped(CheckVerdict):
    """The rule could not be judged this time (a switch is off, or a precondition failed)."""
