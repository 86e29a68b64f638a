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
import time
from typing import Any

import pytest
import trustme

from tap_zoom_logs.sandbox import ZoomEmulator
from tap_zoom_logs.sandbox import server as sandbox_server
from tests.conftest import Tap, TapRun, assert_exact, secrets_of

DEBUG = {"TAP_ZOOM_LOGS_LOGLEVEL": "DEBUG"}
ERROR_PREFIX = "tap-zoom-logs: error: "


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


def one_line_error(run: TapRun) -> str:
    lines = run.stderr.strip().splitlines()
    assert run.returncode != 0, "the run was to fail"
    traceback = "Traceback" in run.stderr
    assert not traceback, "a traceback instead of one line, ending: " + " | ".join(lines[-3:])
    assert lines[-1].startswith(ERROR_PREFIX), "no one-line reason: " + " | ".join(lines[-3:])
    return lines[-1]


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
        one_line_error(run)


def test_no_secret_in_debug_logs_with_settings_from_the_environment(tap, emulator):
    config = tap.config(page_size=25)
    env = {f"TAP_ZOOM_LOGS_{k.upper()}": str(v) for k, v in config.items()}
    emulator.inject("revoke_token", after=2)
    run = tap.run({}, args=("--config", "ENV"), env={**env, **DEBUG})

    assert " DEBUG " in run.stderr
    assert_no_piece_of_a_secret(run, emulator)
    assert_exact(run, emulator, config)


BAD_INPUT_RUNS = {
    "wrong client secret": ({"client_secret": "emulated-client-secret-but-wrong"}, None),
    "client secret not a string": ({"client_secret": 123456789012345678}, None),
    "state not JSON": ({}, "{not json"),
    "bookmark not a date": (
        {},
        json.dumps(
            {
                "bookmarks": {
                    "activity_logs": {"replication_key": "time", "replication_key_value": "soon"}
                }
            }
        ),
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT_RUNS, ids=list(BAD_INPUT_RUNS))
def test_no_secret_in_debug_logs_of_bad_input(tap, emulator, case):
    overrides, state_text = BAD_INPUT_RUNS[case]
    args: tuple[str, ...] = ()
    if state_text is not None:
        state_path = tap.tmp_path / "bad-state.json"
        state_path.write_text(state_text)
        args = ("--state", str(state_path))
    config = tap.config(**overrides)
    run = tap.run(config, args=args, env=DEBUG)

    assert run.returncode != 0
    assert_no_piece_of_a_secret(run, emulator)
    given = str(config["client_secret"])
    assert given not in run.stdout + run.stderr, "a secret given by mistake is still a secret"


# --------------------------------------------------------------------------- clear text


class _IPv6Server(sandbox_server._Server):
    address_family = socket.AF_INET6


def test_http_on_ipv6_loopback_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox_server, "_Server", _IPv6Server)
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
    run = tap.run(tap.config(**{setting: url}))

    line = one_line_error(run)
    assert setting in line and "https" in line
    assert sum(emulator.stats.requests.values()) == 0


# --------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_zoom(ca: trustme.CA) -> Any:
    """The emulator over HTTPS, with a certificate for `localhost` from a throwaway CA."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    with ZoomEmulator(seed=5, history_days=3, entries_per_day=10, ssl_context=context) as zoom:
        assert zoom.api_url.startswith("https://localhost:")
        yield zoom


@pytest.fixture
def ca_bundle(ca: trustme.CA, tmp_path) -> str:
    path = tmp_path / "throwaway-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def test_https_with_an_untrusted_certificate_is_refused_at_once(https_zoom, tmp_path):
    """A certificate the system does not trust will not become trusted by waiting: one line
    that says so, at once (not after the retry budget), and nothing sent to that server."""
    tap = Tap(https_zoom, tmp_path)
    budget = 10
    started = time.monotonic()
    run = tap.run(tap.config(max_retry_seconds=budget))
    elapsed = time.monotonic() - started

    line = one_line_error(run)
    assert "certificate" in line.lower(), line
    assert sum(https_zoom.stats.requests.values()) == 0, "no credentials to an unverified host"
    assert elapsed < budget / 2, f"a certificate error was retried for {elapsed:.1f} s"


def test_https_to_a_name_the_certificate_does_not_name_is_refused(https_zoom, tmp_path, ca_bundle):
    tap = Tap(https_zoom, tmp_path)
    config = tap.config(max_retry_seconds=10)
    config["api_url"] = config["api_url"].replace("localhost", "127.0.0.1")
    config["oauth_url"] = config["oauth_url"].replace("localhost", "127.0.0.1")
    started = time.monotonic()
    run = tap.run(config, env={"REQUESTS_CA_BUNDLE": ca_bundle})
    elapsed = time.monotonic() - started

    line = one_line_error(run)
    assert "certificate" in line.lower() or "hostname" in line.lower(), line
    assert sum(https_zoom.stats.requests.values()) == 0
    assert elapsed < 5, f"a certificate error was retried for {elapsed:.1f} s"


def test_https_works_when_requests_ca_bundle_trusts_the_ca(https_zoom, tmp_path, ca_bundle):
    tap = Tap(https_zoom, tmp_path)
    config = tap.config(page_size=10)
    https_zoom.inject("revoke_token", after=2)  # the renewal goes over TLS too
    run = tap.run(config, env={"REQUESTS_CA_BUNDLE": ca_bundle, **DEBUG})

    assert_exact(run, https_zoom, config)
    assert https_zoom.stats.requests["token"] == 2
    assert_no_piece_of_a_secret(run, https_zoom)
