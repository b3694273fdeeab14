"""The TLS contexts: the server's from --certfile/--keyfile, a client's from --cafile.

Handshakes run in memory (`ssl.MemoryBIO`), no sockets: a context is right
when the other side completes a handshake with it.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from chrono_sim.client import FeedClient
from chrono_sim.client.tls import client_tls_context
from chrono_sim.errors import ConfigError, InvalidUrlError
from chrono_sim.failures import describe_untrusted
from chrono_sim.server.config import ServerConfig
from chrono_sim.server.tls import server_tls_context
from tests.support.certificates import Pki, make_pki

URL = "wss://localhost:3000/stream"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def server_context(certfile: Path, keyfile: Path | None = None) -> ssl.SSLContext:
    context = server_tls_context(ServerConfig(certfile=certfile, keyfile=keyfile))
    assert context is not None
    return context


def handshake(server: ssl.SSLContext, client: ssl.SSLContext, hostname: str = "localhost") -> None:
    """A whole TLS handshake between the two contexts, in memory; raises what the client sees."""
    pipes = [ssl.MemoryBIO() for _ in range(4)]
    client_side = client.wrap_bio(pipes[0], pipes[1], server_hostname=hostname)
    server_side = server.wrap_bio(pipes[2], pipes[3], server_side=True)
    done = {"client": False, "server": False}
    for _ in range(10):
        for name, side in (("client", client_side), ("server", server_side)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        pipes[2].write(pipes[1].read())  # client -> server
        pipes[0].write(pipes[3].read())  # server -> client
        if all(done.values()):
            return
    raise AssertionError("handshake did not finish")


def test_a_plain_server_has_no_tls_context() -> None:
    assert server_tls_context(ServerConfig()) is None


def test_a_client_trusting_the_ca_completes_a_handshake_with_the_server(pki: Pki) -> None:
    client = client_tls_context(URL, pki.ca)
    assert client is not None

    handshake(server_context(pki.cert, pki.key), client)


def test_the_key_may_be_in_the_certificate_file(pki: Pki) -> None:
    client = client_tls_context(URL, pki.ca)
    assert client is not None

    handshake(server_context(pki.combined), client)


def test_the_server_accepts_nothing_older_than_tls_1_2(pki: Pki) -> None:
    assert server_context(pki.cert, pki.key).minimum_version == ssl.TLSVersion.TLSv1_2


def test_a_client_without_the_ca_does_not_trust_the_server(pki: Pki) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as raised:
        handshake(server_context(pki.cert, pki.key), ssl.create_default_context())

    assert "a private CA needs --cafile" in describe_untrusted(raised.value)


def test_a_name_mismatch_is_not_blamed_on_a_missing_ca(pki: Pki) -> None:
    client = client_tls_context(URL, pki.ca)
    assert client is not None

    with pytest.raises(ssl.SSLCertVerificationError) as raised:
        handshake(server_context(pki.cert, pki.key), client, hostname="other.example")

    described = describe_untrusted(raised.value)
    assert described.startswith("TLS certificate not trusted (Hostname mismatch")
    assert "--cafile" not in described


def test_a_missing_certificate_file_is_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"

    with pytest.raises(ConfigError) as raised:
        server_context(missing)

    assert str(raised.value) == f"--certfile {missing}: no such file or directory"


def test_a_missing_key_file_is_one_line_naming_it(pki: Pki, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"

    with pytest.raises(ConfigError) as raised:
        server_context(pki.cert, missing)

    assert str(raised.value) == f"--keyfile {missing}: no such file or directory"


def test_a_certificate_without_its_key_asks_for_keyfile(pki: Pki) -> None:
    with pytest.raises(ConfigError, match=r"no private key in it \(give --keyfile\)$"):
        server_context(pki.cert)


def test_a_key_given_as_the_certificate_is_refused(pki: Pki) -> None:
    with pytest.raises(ConfigError, match=r"^--certfile \S+key.pem: no PEM certificate in it$"):
        server_context(pki.key, pki.key)


def test_a_certificate_given_as_the_key_is_refused(pki: Pki) -> None:
    with pytest.raises(ConfigError, match=r"^--keyfile \S+cert.pem: no PEM private key in it$"):
        server_context(pki.cert, pki.cert)


def test_a_key_of_another_certificate_does_not_match(pki: Pki) -> None:
    with pytest.raises(ConfigError, match=r"^certificate and key do not match \("):
        server_context(pki.cert, pki.other_key)


def test_an_encrypted_key_is_refused_without_asking_for_a_passphrase(
    pki: Pki, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(pki.key.read_bytes(), password=None)
    encrypted = tmp_path / "encrypted.pem"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )

    with pytest.raises(ConfigError, match="the private key is encrypted; give an unencrypted one"):
        server_context(pki.cert, encrypted)


def test_a_key_file_needs_a_certificate_file(pki: Pki) -> None:
    with pytest.raises(ConfigError, match=r"--keyfile\) needs its certificate"):
        ServerConfig(keyfile=pki.key)


def test_no_ca_file_means_the_default_tls_settings() -> None:
    assert client_tls_context(URL, None) is None


def test_a_ca_file_needs_a_wss_url_checked_before_reading_the_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidUrlError, match="--cafile needs a wss:// URL"):
        client_tls_context("ws://localhost:3000/stream", tmp_path / "missing.pem")


def test_a_missing_ca_file_is_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"

    with pytest.raises(ConfigError) as raised:
        client_tls_context(URL, missing)

    assert str(raised.value) == f"--cafile {missing}: no such file or directory"


def test_a_ca_file_without_a_certificate_is_refused(pki: Pki) -> None:
    with pytest.raises(ConfigError, match="no PEM certificate in it"):
        client_tls_context(URL, pki.key)


def test_a_ca_file_with_a_broken_certificate_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")

    with pytest.raises(ConfigError, match="not a usable CA file"):
        client_tls_context(URL, broken)


def test_a_feed_client_refuses_a_tls_context_for_a_ws_url(pki: Pki) -> None:
    context = client_tls_context(URL, pki.ca)

    with pytest.raises(InvalidUrlError, match="needs a wss:// URL"):
        FeedClient("ws://localhost:3000/stream", api_key="k", symbols=["BTC/USD"], ssl=context)
