"""The access tokens, one of each kind for the whole run, shared by every stream: the
Server-to-Server OAuth token (Zoom's token endpoint) and the Video SDK API's JWT (signed here)."""

from __future__ import annotations

import base64
import logging
import threading
import time
import typing as t
import warnings

import jwt
import requests

from tap_zoom_logs.errors import SECRETS, SettingError, ZoomAPIError, describe, zoom_error_fields

if t.TYPE_CHECKING:
    from collections.abc import Callable

#: Ask for a new token this long before Zoom's `expires_in` runs out (capped at a quarter of
#: the lifetime, so that short-lived tokens are not renewed on every request, yet keep a
#: margin wider than a busy machine's scheduling delays: a tenth of a 2 s token was not).
RENEW_MARGIN_SECONDS = 120.0
#: Zoom's tokens live an hour; the lifetime taken when Zoom's answer gives none that works.
DEFAULT_LIFETIME_SECONDS = 3600.0


class ZoomToken:
    """Holds the bearer token: fetched on first use, renewed before expiry or when revoked.

    Thread-safe: windows are fetched concurrently, and only one thread asks Zoom for a new
    token while the others wait for it.
    """

    def __init__(
        self,
        *,
        oauth_url: str,
        account_id: str,
        client_id: str,
        client_secret: str,
        send: Callable[..., requests.Response],
        logger: logging.Logger,
    ) -> None:
        self._oauth_url = oauth_url
        self._account_id = account_id
        self._credentials = (client_id, client_secret)
        SECRETS.add(client_secret)
        SECRETS.add(base64.b64encode(f"{client_id}:{client_secret}".encode()).decode())
        self._send = send
        self._logger = logger
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self.scopes: frozenset[str] = frozenset()

    def bearer(self) -> str:
        """Return a token that is valid for a while yet, asking Zoom for one if needed."""
        with self._lock:
            if self._token is None or time.monotonic() >= self._renew_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget `token` after Zoom said it is invalid (401 code 124: expired or revoked).

        Only that token: another thread may already have replaced it with a fresh one.
        """
        with self._lock:
            if self._token == token:
                self._token = None

    def has_scope(self, scope: str, classic_scope: str) -> bool:
        """Whether the app was granted `scope`, or the classic scope that covers it."""
        return scope in self.scopes or classic_scope in self.scopes

    def _fetch(self) -> None:
        # Parameters go in the form body, which Zoom takes (its published collection shows
        # the query string, which it takes too).
        response = self._send(
            "POST",
            self._oauth_url,
            what="access token",
            auth=self._credentials,
            data={"grant_type": "account_credentials", "account_id": self._account_id},
        )
        if response.status_code != 200:
            raise _token_refused(response)
        try:
            body = response.json()
            token = body["access_token"]
            lifetime = float(body.get("expires_in", DEFAULT_LIFETIME_SECONDS))
        except (ValueError, KeyError, TypeError):
            msg = f"Zoom's token endpoint answered without an access token ({describe(response)})"
            raise ZoomAPIError(msg) from None
        if lifetime <= 0:
            # Taken at its word, every request would ask for a new token first.
            self._logger.warning(
                "Zoom's token answer says expires_in %g; renewing it after %g s instead,"
                " or at once when Zoom refuses it",
                lifetime,
                DEFAULT_LIFETIME_SECONDS,
            )
            lifetime = DEFAULT_LIFETIME_SECONDS
        self._token = str(token)
        SECRETS.add(self._token)
        self._renew_at = time.monotonic() + lifetime - min(RENEW_MARGIN_SECONDS, lifetime / 4)
        self.scopes = frozenset(str(body.get("scope", "")).split())


def _token_refused(response: requests.Response) -> Exception:
    code, _ = zoom_error_fields(response)
    if code in ("invalid_client", "invalid_grant", "invalid_request"):
        return SettingError(
            f"Zoom refused the app's credentials ({describe(response)}): check account_id, "
            "client_id and client_secret against your Server-to-Server OAuth app in the Zoom "
            "App Marketplace, and that the app is activated."
        )
    return ZoomAPIError(f"Zoom refused to issue an access token ({describe(response)})")


#: A Video SDK API JWT lives this long; Zoom suggests an hour at most.
VIDEO_SDK_JWT_SECONDS = 3600


class VideoSdkToken:
    """The Video SDK API's bearer token: a JWT the tap signs itself (HS256, with the Video
    SDK API secret; `iss` the API key), as Zoom's Video SDK API definition asks; no token
    endpoint is involved. Renewed before it expires, or when Zoom refuses it (401)."""

    def __init__(self, *, api_key: str, api_secret: str) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        SECRETS.add(api_secret)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def bearer(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._renew_at:
                issued = int(time.time())
                expires = issued + VIDEO_SDK_JWT_SECONDS
                claims = {"iss": self._api_key, "iat": issued, "exp": expires}
                with warnings.catch_warnings():
                    # PyJWT warns of an HMAC key under 32 bytes: Zoom issues the secret,
                    # the user cannot lengthen it, and a warning per run says nothing new.
                    warnings.simplefilter("ignore")
                    self._token = jwt.encode(claims, self._api_secret, algorithm="HS256")
                SECRETS.add(self._token)
                self._renew_at = time.monotonic() + VIDEO_SDK_JWT_SECONDS - RENEW_MARGIN_SECONDS
            return self._token

    def invalidate(self, token: str) -> None:
        """Sign a new one next time (a clock far off Zoom's may make Zoom refuse it)."""
        with self._lock:
            if self._token == token:
                self._token = None
