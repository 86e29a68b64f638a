"""The failures a user can act on, each with the one line the command prints, and the
redaction every text from Zoom goes through before it is printed."""

from __future__ import annotations

import signal
import threading
from urllib.parse import quote

import requests

REDACTED = "[redacted]"


#: The exit code of a run stopped to spare the account's daily quota (Zoom's daily limit,
#: or the reserve): sysexits' EX_TEMPFAIL, "try again later". Every finished window's
#: state is written; a scheduler tells it from a failure (1) and a complete run (0).
EXIT_QUOTA = 75


class TapZoomLogsError(Exception):
    """A failure that stops the run; its message is the whole story, on one line."""

    exit_code = 1


class SettingError(TapZoomLogsError):
    """A setting is missing or wrong: caught before any request is sent."""


class ZoomAPIError(TapZoomLogsError):
    """Zoom answered with an error that retrying will not fix."""


class DatesRefused(ZoomAPIError):
    """Zoom refused a report query's days (400 code 300 on a first page)."""


class DailyLimitReached(TapZoomLogsError):
    """The account's daily quota of Heavy requests is spent, or down to the reserve."""

    exit_code = EXIT_QUOTA


class RetriesExhausted(TapZoomLogsError):
    """A transient failure kept coming back for longer than the retry budget."""


class PagingNeverEnds(ZoomAPIError):
    """Zoom kept handing out page tokens for a window that cannot have that many pages."""


class Interrupted(TapZoomLogsError):
    """SIGTERM or SIGINT: the run stops now, with the state of its finished windows."""

    def __init__(self, signum: int) -> None:
        name = signal.Signals(signum).name
        super().__init__(
            f"stopped by {name}: the state written holds every finished window, and the"
            " next run resumes there"
        )
        self.exit_code = 128 + signum


class PageTokenInvalid(Exception):
    """Zoom refused a next_page_token (expired after 15 minutes, or unknown)."""


class Stopped(Exception):
    """The run is stopping (a signal, or an error elsewhere): a worker gives up quietly."""


class Secrets:
    """The run's secrets: the client secret, its Basic value and every access token.

    Zoom's error messages have been seen to quote what a request carried; every text that
    comes from Zoom goes through `redact` before it reaches a log or an error line.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: set[str] = set()

    def add(self, secret: str) -> None:
        if len(secret) >= 4:  # a shorter "secret" would redact ordinary words
            with self._lock:
                self._known.update({secret, quote(secret, safe="")})

    def redact(self, text: str) -> str:
        with self._lock:
            known = sorted(self._known, key=len, reverse=True)
        for secret in known:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


#: One per process, as the tap is one run per process.
SECRETS = Secrets()


def zoom_error_fields(response: requests.Response) -> tuple[object, str]:
    """Return Zoom's error `code` and `message` (or the OAuth `error` and `reason`)."""
    try:
        body = response.json()
    except (ValueError, RecursionError):  # not JSON; JSON nested too deep to read
        return None, ""
    if not isinstance(body, dict):
        return None, ""
    code = body.get("code", body.get("error"))
    message = body.get("message", body.get("reason", ""))
    return code, str(message)


def describe(response: requests.Response) -> str:
    """Say what Zoom answered, with what Zoom support asks for: code and tracking id.

    Only the status line, Zoom's own code/message and the tracking id are used, and they
    are redacted of the run's secrets: the request (which carries the token or the Basic
    credentials) is never quoted, and neither is Zoom quoting it back.
    """
    code, message = zoom_error_fields(response)
    text = f"HTTP {response.status_code}"
    if code is not None:
        text += f", Zoom code {code}"
    if message:
        text += f": {' '.join(message.split())}"
    tracking_id = response.headers.get("x-zm-trackingid")
    if tracking_id:
        text += f" (x-zm-trackingid {tracking_id})"
    return SECRETS.redact(text)
