"""The one exception tree of Chrono Sim.

::

    ChronoError                 anything this package raises on purpose
    ├── ConfigError             a setting or file the user gave is unusable
    │   └── KeysFileError       the API keys TOML file is unreadable or invalid
    └── MessageError            a client message breaks the protocol's shape rules
                                (the session turns it into a VALIDATION_ERROR reply)

Protocol refusals (unknown key, limits, unknown symbols) are not exceptions:
they are ordinary replies of the session, because the connection goes on.
"""

from __future__ import annotations


class ChronoError(Exception):
    """Base of every error Chrono Sim raises deliberately."""


class ConfigError(ChronoError):
    """A configuration value or file given by the user cannot be used."""


class KeysFileError(ConfigError):
    """The API keys file is missing, is not valid TOML, or holds an invalid entry."""


class MessageError(ChronoError):
    """A client message is not valid JSON or does not have the required shape.

    `message_id` carries the client's `id` when it could still be read, so the
    error reply can echo it.
    """

    def __init__(self, detail: str, message_id: int | str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.message_id = message_id
