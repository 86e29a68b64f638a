"""The failures a user can act on, each with the one line the command prints."""

from __future__ import annotations

import requests


class TapZoomLogsError(Exception):
    """A failure that stops the run; its message is the whole story, on one line."""


class SettingError(TapZoomLogsError):
    """A setting is missing or wrong: caught before any request is sent."""


class ZoomAPIError(TapZoomLogsError):
    """Zoom answered with an error that retrying will not fix."""


class DailyLimitReached(TapZoomLogsError):
    """The account's daily quota of Heavy requests is spent."""


class RetriesExhausted(TapZoomLogsError):
    """A transient failure kept coming back for longer than the retry budget."""


class PageTokenInvalid(Exception):
    """Zoom refused a next_page_token (expired after 15 minutes, or unknown)."""


def zoom_error_fields(response: requests.Response) -> tuple[object, str]:
    """Return Zoom's error `code` and `message` (or the OAuth `error` and `reason`)."""
    try:
        body = response.json()
    except ValueError:
        return None, ""
    if not isinstance(body, dict):
        return None, ""
    code = body.get("code", body.get("error"))
    message = body.get("message", body.get("reason", ""))
    return code, str(message)


def describe(response: requests.Response) -> str:
    """Say what Zoom answered, with what Zoom support asks for: code and tracking id.

    Only the status line, Zoom's own code/message and the tracking id are used: the
    request (which carries the token or the Basic credentials) never is.
    """
    code, message = zoom_error_fields(response)
    text = f"HTTP {response.status_code}"
    if code is not None:
        text += f", Zoom code {code}"
    if message:
        text += f": {message.strip()}"
    tracking_id = response.headers.get("x-zm-trackingid")
    if tracking_id:
        text += f" (x-zm-trackingid {tracking_id})"
    return text
