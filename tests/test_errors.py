"""errors.py in this process: what a Zoom answer is described as (code, message, tracking
id), and the redaction every text from Zoom goes through."""

from __future__ import annotations

import json
import signal
from urllib.parse import quote

import pytest
import requests

from tap_zoom_logs import errors
from tap_zoom_logs.errors import REDACTED, Interrupted, Secrets, describe, zoom_error_fields


def answer(status: int, body: object = None, *, raw: bytes | None = None, tracking: str = ""):
    response = requests.Response()
    response.status_code = status
    response._content = raw if raw is not None else json.dumps(body).encode()
    if tracking:
        response.headers["x-zm-trackingid"] = tracking
    return response


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Secrets:
    """The run's secrets, fresh: the process-wide ones hold other tests' secrets."""
    fresh = Secrets()
    monkeypatch.setattr(errors, "SECRETS", fresh)
    return fresh


def test_describe_gives_zooms_code_message_and_tracking_id(secrets):
    body = {"code": 429, "message": "You have reached\n the maximum   per-second rate limit."}
    text = describe(answer(429, body, tracking="v=2.0;clid=us05;rid=abc"))

    assert text == (
        "HTTP 429, Zoom code 429: You have reached the maximum per-second rate limit."
        " (x-zm-trackingid v=2.0;clid=us05;rid=abc)"
    )


def test_describe_reads_the_oauth_error_shape_too(secrets):
    body = {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}

    assert describe(answer(400, body)) == (
        "HTTP 400, Zoom code invalid_client: Invalid client_id or client_secret"
    )
    assert zoom_error_fields(answer(400, body)) == (
        "invalid_client",
        "Invalid client_id or client_secret",
    )


@pytest.mark.parametrize(
    "raw", [b"<html><body>502 Bad Gateway</body></html>", b'["not", "an object"]', b""]
)
def test_describe_an_answer_that_is_not_zoom_json_is_its_status(secrets, raw):
    assert describe(answer(502, raw=raw, tracking="t-9")) == "HTTP 502 (x-zm-trackingid t-9)"
    assert zoom_error_fields(answer(502, raw=raw)) == (None, "")


def test_describe_never_quotes_a_secret_zoom_echoes(secrets):
    secrets.add("s3cret/with+chars=")
    secrets.add("the-access-token-1234")
    body = {
        "code": 300,
        "message": "Invalid request: Authorization Bearer the-access-token-1234 for"
        " client secret s3cret/with+chars= (form: client_secret=s3cret%2Fwith%2Bchars%3D)",
    }
    text = describe(answer(400, body))

    assert "the-access-token-1234" not in text
    assert "s3cret" not in text
    assert text.count(REDACTED) == 3


def test_redaction_takes_the_longest_secret_first():
    secrets = Secrets()
    secrets.add("abcd")
    secrets.add("abcd-efgh")

    assert secrets.redact("token abcd-efgh and abcd") == f"token {REDACTED} and {REDACTED}"


def test_a_secret_too_short_to_tell_from_words_is_not_redacted():
    secrets = Secrets()
    secrets.add("abc")

    assert secrets.redact("abc abcdef") == "abc abcdef"


def test_a_url_quoted_secret_is_redacted_as_well():
    secrets = Secrets()
    secrets.add("p@ss w/rd")

    assert quote("p@ss w/rd", safe="") == "p%40ss%20w%2Frd"
    assert secrets.redact("secret=p%40ss%20w%2Frd") == f"secret={REDACTED}"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_is_its_exit_code_and_a_line_naming_it(signum, code):
    stopped = Interrupted(signum)

    assert stopped.exit_code == code
    assert str(stopped).startswith(f"stopped by {signum.name}: the state written holds")
