"""Secrets never reach a log, clear-text HTTP only on loopback, TLS certificates verified.

Every run goes through `Tap.run`, which asserts that neither the client secret, nor its
base64 Basic header, nor any access token the emulator issued appears in stdout or stderr.
The runs here add what that check needs to mean something: debug-level logging (the SDK
reads TAP_ZOOM_LOGS_LOGLEVEL or LOGLEVEL; there is no --log-level option), faults on both
endpoints (so error paths and retries log), bad input, and settings from the environment.
On top of the whole-string check, a log must not hold a recognisable piece of a token.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from typing import Any

import pytest
import trustme

from tap_zoom_logs.errors import EXIT_QUOTA
from tests.support.tap import (
    Tap,
    TapRun,
    assert_exact,
    assert_nothing_sent,
    one_line_error,
    secrets_of,
)
from zoom_emulator import ZoomEmulator
from zoom_emulator import server as sandbox_server

DEBUG = {"TAP_ZOOM_LOGS_LOGLEVEL": "DEBUG"}


def assert_no_piece_of_a_secret(run: TapRun, emulator: ZoomEmulator) -> None:
    """No 16-character slice of a secret or token (a log that shortens a token still leaks
    enough to recognise it), and no Authorization header value."""
    output = run.stdout + run.stderr
    for secret in secrets_of(emulator):
        for start in range(0, max(1, len(secret) - 15), 4):
            piece = secret[start : start + 16]
            assert piece not in output, f"a piece of a secret is in the output: {piece[:4]}..."
    assert "Bearer " not in output
    assert "Basic " not in output


# --------------------------------------------------------------------------- secrets in logs


def _token_trouble(zoom: ZoomEmulator) -> None:
    zoom.inject("server_error", endpoint="token", times=1, status=503)
    zoom.inject("truncated", endpoint="token", times=1)  # half a token answer on the wire
    zoom.inject("revoke_token", after=3)
    zoom.inject("revoke_token", after=9)


def _report_trouble(zoom: ZoomEmulator) -> None:
    zoom.inject("server_error", times=2, status=502)
    zoom.inject("truncated", times=1)
    zoom.inject("missing_key", times=1)
    zoom.inject("rate_limit", times=2, retry_after="iso", seconds=0.2)
    zoom.inject("expire_page_token", times=1)


FAULTY_RUNS = {
    "token endpoint 5xx, truncated token answer, revocations": (_token_trouble, "exact"),
    "report 5xx, truncation, missing key, 429, page token": (_report_trouble, "exact"),
    "token endpoint fails until the run gives up": (
        lambda z: z.inject("server_error", endpoint="token", times=10_000, status=500),
        "error",
    ),
    "token refused on every report request": (
        lambda z: z.inject("revoke_token", times=10_000),
        "error",
    ),
    "daily limit": (lambda z: z.inject("daily_limit", after=4), "error"),
}


# Every case with the tap's own variable; the generic LOGLEVEL once, on the busiest run.
DEBUG_RUNS = [(case, "TAP_ZOOM_LOGS_LOGLEVEL") for case in FAULTY_RUNS] + [
    ("report 5xx, truncation, missing key, 429, page token", "LOGLEVEL")
]


@pytest.mark.parametrize(
    ("case", "env_name"), DEBUG_RUNS, ids=[f"{c} ({e})" for c, e in DEBUG_RUNS]
)
def test_no_secret_in_debug_logs_of_faulty_runs(tap, emulator, case, env_name):
    inject, expected = FAULTY_RUNS[case]
    inject(emulator)
    budget = 15 if expected == "exact" else 2  # a short one where the run is to give up
    config = tap.config(page_size=10, window_days=2, max_retry_seconds=budget, request_timeout=2)
    run = tap.run(config, env={env_name: "DEBUG"})  # asserts: no secret, no token

    assert " DEBUG " in run.stderr, "debug logging was not on: the check would mean little"
    assert "urllib3" in run.stderr, "the HTTP client's own debug lines are included"
    assert emulator.stats.tokens_issued or expected == "error"
    assert_no_piece_of_a_secret(run, emulator)
    if expected == "exact":
        assert_exact(run, emulator, config)
    else:
        one_line_error(run, code=EXIT_QUOTA if case.startswith("daily limit") else 1)


def test_no_secret_in_debug_logs_with_settings_from_the_environment(tap, emulator):
    config = tap.config(page_size=25)
    env = {f"TAP_ZOOM_LOGS_{k.upper()}": str(v) for k, v in config.items()}
    emulator.inject("revoke_token", after=2)
    run = tap.run({}, args=("--config", "ENV"), env={**env, **DEBUG})

    assert " DEBUG " in run.stderr
    assert_no_piece_of_a_secret(run, emulator)
    assert_exact(run, emulator, config)


# case: (settings, state file, whether the run gets as far as asking for a token)
BAD_INPUT_RUNS: dict[str, tuple[dict[str, Any], str | None, bool]] = {
    "wrong client secret": ({"client_secret": "emulated-client-secret-but-wrong"}, None, True),
    "client secret not a string": ({"client_secret": 123456789012345678}, None, False),
    "state not JSON": ({}, "{not json", False),
    "bookmark not a date": (
        {},
        json.dumps(
            {
                "bookmarks": {
                    "activity_logs": {"replication_key": "time", "replication_key_value": "soon"}
                }
            }
        ),
        False,
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT_RUNS, ids=list(BAD_INPUT_RUNS))
def test_no_secret_in_debug_logs_of_bad_input(tap, emulator, case):
    """Input refused before any request runs in this process, through the entry point."""
    overrides, state_text, asks = BAD_INPUT_RUNS[case]
    args: tuple[str, ...] = ()
    if state_text is not None:
        state_path = tap.tmp_path / "bad-state.json"
        state_path.write_text(state_text)
        args = ("--state", str(state_path))
    config = tap.config(**overrides)
    run = tap.run(config, args=args, env=DEBUG, in_process=not asks)

    one_line_error(run)
    assert_no_piece_of_a_secret(run, emulator)
    given = str(config["client_secret"])
    assert given not in run.stdout + run.stderr, "a secret given by mistake is still a secret"


# --------------------------------------------------------------------------- clear text


class _IPv6Server(sandbox_server.Server):
    address_family = socket.AF_INET6


def test_http_on_ipv6_loopback_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox_server, "Server", _IPv6Server)
    try:
        zoom = ZoomEmulator(seed=3, history_days=3, entries_per_day=10, host="::1").start()
    except OSError as exc:  # pragma: no cover - a host without IPv6
        pytest.skip(f"no IPv6 loopback here: {exc}")
    with zoom:
        port = zoom.base_url.rsplit(":", 1)[1]
        tap = Tap(zoom, tmp_path)
        config = tap.config(
            api_url=f"http://[::1]:{port}/v2", oauth_url=f"http://[::1]:{port}/oauth/token"
        )
        run = tap.run(config)

        assert_exact(run, zoom, config)
        assert zoom.stats.requests["token"] == 1


def test_http_on_localhost_is_accepted(tap, emulator):
    port = emulator.base_url.rsplit(":", 1)[1]
    config = tap.config(
        api_url=f"http://localhost:{port}/v2", oauth_url=f"http://localhost:{port}/oauth/token"
    )
    run = tap.run(config)

    assert_exact(run, emulator, config)


NOT_LOOPBACK = {
    "a name that starts with localhost": ("api_url", "http://localhost.example.com/v2"),
    "a name that embeds 127.0.0.1": ("oauth_url", "http://127.0.0.1.nip.io/oauth/token"),
    "loopback as user info": ("api_url", "http://127.0.0.1@zoom.example.com/v2"),
    "the any address": ("oauth_url", "http://0.0.0.0/oauth/token"),
}


@pytest.mark.parametrize("case", NOT_LOOPBACK, ids=list(NOT_LOOPBACK))
def test_http_to_a_host_that_only_looks_local_is_refused(tap, emulator, case):
    setting, url = NOT_LOOPBACK[case]
    run = tap.run(tap.config(**{setting: url}), in_process=True)

    one_line_error(run, f"setting {setting}", "https")
    assert_nothing_sent(run, emulator)


# --------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


class HandshakeWatch:
    """The TLS handshakes a server saw fail, with OpenSSL's reason for each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failures: list[str] = []

    def add(self, reason: str) -> None:
        with self._lock:
            self.failures.append(reason)

    def wait_for_failure(self, seconds: float = 5.0) -> list[str]:
        """The failures, once there is one (the server notes it in its own thread)."""
        deadline = time.monotonic() + seconds
        while not self.failures and time.monotonic() < deadline:
            time.sleep(0.05)
        with self._lock:
            return list(self.failures)


class WatchedEmulator(ZoomEmulator):
    """The emulator, with the handshakes its clients broke off."""

    watch: HandshakeWatch


@pytest.fixture
def https_zoom(ca: trustme.CA, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The emulator over HTTPS, with a certificate for `localhost` from a throwaway CA; its
    `watch` counts the handshakes clients broke off (which no request counter sees)."""
    watch = HandshakeWatch()

    class WatchedServer(sandbox_server.Server):
        def finish_request(self, request: Any, client_address: Any) -> None:
            try:
                super().finish_request(request, client_address)
            except ssl.SSLError as exc:
                watch.add(exc.reason or str(exc))
                raise

    monkeypatch.setattr(sandbox_server, "Server", WatchedServer)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    zoom = WatchedEmulator(seed=5, history_days=3, entries_per_day=10, ssl_context=context)
    with zoom:
        assert zoom.api_url.startswith("https://localhost:")
        zoom.watch = watch
        yield zoom


@pytest.fixture
def ca_bundle(ca: trustme.CA, tmp_path) -> str:
    path = tmp_path / "throwaway-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def assert_refused_in_the_handshake(zoom: WatchedEmulator, run: TapRun, alert: str) -> None:
    """The tap reached the server and broke the TLS handshake off itself: the server saw
    it fail with the client's `alert` (OpenSSL's name), so not one HTTP request,
    credentials included, went to it. A tap that never connected (a setting error, say)
    fails the first check; one that did not verify the certificate, the second."""
    failures = zoom.watch.wait_for_failure()
    assert failures, "no TLS handshake reached the server: the refusal says nothing"
    assert all(alert in reason for reason in failures), failures
    assert sum(zoom.stats.requests.values()) == 0, "no credentials to an unverified host"
    assert not any(run.records.values()) and not run.states


def test_https_with_an_untrusted_certificate_is_refused_at_once(https_zoom, tmp_path):
    """A certificate the system does not trust will not become trusted by waiting: one line
    that says so, at once (not after the retry budget), and nothing sent to that server."""
    tap = Tap(https_zoom, tmp_path)
    budget = 10
    started = time.monotonic()
    run = tap.run(tap.config(max_retry_seconds=budget))
    elapsed = time.monotonic() - started

    line = one_line_error(run, "localhost")
    assert "certificate" in line.lower(), line
    assert_refused_in_the_handshake(https_zoom, run, "ALERT_UNKNOWN_CA")
    assert elapsed < budget / 2, f"a certificate error was retried for {elapsed:.1f} s"


def test_https_to_a_name_the_certificate_does_not_name_is_refused(https_zoom, tmp_path, ca_bundle):
    """The CA is trusted here (a run to `localhost` works, below); the name is not the
    certificate's."""
    tap = Tap(https_zoom, tmp_path)
    config = tap.config(max_retry_seconds=10)
    config["api_url"] = config["api_url"].replace("localhost", "127.0.0.1")
    config["oauth_url"] = config["oauth_url"].replace("localhost", "127.0.0.1")
    started = time.monotonic()
    run = tap.run(config, env={"REQUESTS_CA_BUNDLE": ca_bundle})
    elapsed = time.monotonic() - started

    line = one_line_error(run, "127.0.0.1")
    assert "certificate" in line.lower() or "hostname" in line.lower(), line
    assert_refused_in_the_handshake(https_zoom, run, "ALERT_BAD_CERTIFICATE")
    assert elapsed < 5, f"a certificate error was retried for {elapsed:.1f} s"


def test_https_works_when_requests_ca_bundle_trusts_the_ca(https_zoom, tmp_path, ca_bundle):
    tap = Tap(https_zoom, tmp_path)
    config = tap.config(page_size=10)
    https_zoom.inject("revoke_token", after=2)  # the renewal goes over TLS too
    run = tap.run(config, env={"REQUESTS_CA_BUNDLE": ca_bundle, **DEBUG})

    assert_exact(run, https_zoom, config)
    assert https_zoom.stats.requests["token"] == 2
    assert_no_piece_of_a_secret(run, https_zoom)
    assert https_zoom.watch.failures == [], "every handshake of a trusting run succeeds"
