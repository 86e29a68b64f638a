"""The settings checked before any request: defaults filled in, each mistake one line that
names the setting and says what to write instead."""

from __future__ import annotations

import difflib
import ipaddress
import typing as t
from urllib.parse import urlsplit

import pendulum
from jsonschema import Draft7Validator

from tap_zoom_logs.errors import SettingError
from tap_zoom_logs.reports import VIDEO_SDK_API
from tap_zoom_logs.times import parse_moment
from tap_zoom_logs.windows import Bounds, Reading, oldest_day

if t.TYPE_CHECKING:
    from collections.abc import Mapping, MutableMapping

Schema = dict[str, t.Any]


def fill_in(config: MutableMapping[str, t.Any], schema: Schema) -> None:
    """Defaults (which the SDK leaves to each tap) and numbers from environment variables
    (text: "300" is read as the number a numeric setting wants)."""
    for name, spec in schema["properties"].items():
        if "default" in spec and config.get(name) is None:
            config[name] = spec["default"]
        if name in config:
            config[name] = _number_from_text(config[name], spec)


def check(config: Mapping[str, t.Any], schema: Schema, now: pendulum.DateTime) -> None:
    """Raise SettingError with one line for the first mistake in `config`."""
    errors = sorted(Draft7Validator(schema).iter_errors(dict(config)), key=str)
    if errors:
        raise SettingError(_explain(errors[0]))
    for name in ("api_url", "oauth_url"):
        _check_url(name, str(config[name]))
    bounds = bounds_of(config)
    floor = oldest_day(now)
    if bounds.end is not None and bounds.end < floor:
        msg = (
            f"setting end_date ({config['end_date']}) is before {floor.to_date_string()}, the"
            " oldest day Zoom still keeps (six months): nothing could be read; set a later"
            " end_date, or leave it out to read up to now"
        )
        raise SettingError(msg)


#: The credentials each kind of stream needs, in the order they are asked for.
OAUTH_SETTINGS = ("account_id", "client_id", "client_secret")
VIDEO_SDK_SETTINGS = ("videosdk_api_key", "videosdk_api_secret")


def check_credentials(config: Mapping[str, t.Any], selected: list[tuple[str, str]]) -> None:
    """The credentials the selected streams, `(name, API family)`, need: the Server-to-Server
    OAuth app's for every stream but the Video SDK's, which takes the Video SDK account's API
    key and secret. One line naming the first one missing and the streams that need it."""
    oauth = [name for name, family in selected if family != VIDEO_SDK_API]
    video = [name for name, family in selected if family == VIDEO_SDK_API]
    needs: list[tuple[tuple[str, ...], list[str], str]] = [
        (OAUTH_SETTINGS, oauth, "the Zoom Server-to-Server OAuth app's"),
        (VIDEO_SDK_SETTINGS, video, "the Zoom Video SDK account's"),
    ]
    for names, streams, whose in needs:
        for name in names if streams else ():
            if not config.get(name):
                words = name.removeprefix("videosdk_").replace("_", " ")
                msg = (
                    f"setting {name} is missing: set it ({whose} {words}), which"
                    f" {', '.join(streams)} {'needs' if len(streams) == 1 else 'need'}"
                    " (or deselect them)"
                )
                raise SettingError(msg)


def warnings_of(config: Mapping[str, t.Any], schema: Schema, now: pendulum.DateTime) -> list[str]:
    """What is legal but probably not what the user meant."""
    notes = []
    known = list(schema["properties"])
    for key in config:
        if key not in known and not key.startswith("_"):
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]}?" if near else ""
            notes.append(f"setting {key} is not a setting of tap-zoom-logs and is ignored{hint}")
    if config.get("lookback_days") is not None:
        notes.append(
            f"setting lookback_days ({config['lookback_days']}) re-reads whole days on every"
            " run, at the cost of the account's daily quota; remove it: late_margin_minutes"
            " and settle_closed_days catch late entries for a fraction of the requests"
        )
    start = bounds_of(config).start
    floor = oldest_day(now)
    if start is not None and start < floor:
        notes.append(
            f"Zoom keeps six months of logs: days before {floor.to_date_string()} (start_date"
            f" {config['start_date']}) are gone; starting at {floor.to_date_string()}"
        )
    return notes


def bounds_of(config: Mapping[str, t.Any]) -> Bounds:
    """start_date and end_date as UTC moments; a date-only end_date means its whole day."""
    start = end = None
    if config.get("start_date"):
        start = parse_moment("setting start_date", config["start_date"])
    if config.get("end_date"):
        end = parse_moment("setting end_date", config["end_date"], whole_day=True)
    if start and end and end < start:
        msg = (
            f"setting end_date ({config['end_date']}) is before start_date ({config['start_date']})"
        )
        raise SettingError(msg)
    return Bounds(start, end)


def reading_of(config: Mapping[str, t.Any]) -> Reading:
    """The settings that shape how a bookmarked run reads again what it has read."""
    lookback = config.get("lookback_days")
    return Reading(
        window_days=int(config["window_days"]),
        margin_minutes=int(config["late_margin_minutes"]),
        lookback_days=None if lookback is None else int(lookback),
        settle=bool(config["settle_closed_days"]),
        settle_after_hours=int(config["settle_after_hours"]),
    )


def _number_from_text(value: t.Any, spec: dict[str, t.Any]) -> t.Any:
    kinds = spec.get("type", [])
    if not isinstance(value, str) or not {"integer", "number"} & set(kinds):
        return value
    try:
        number = float(value)
    except ValueError:
        return value  # left for the validator to name
    return int(number) if number.is_integer() and "integer" in kinds else number


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        return  # a local emulator or proxy: nothing travels in clear over a network
    msg = (
        f"setting {name}: {url!r} must be an https:// URL (plain http:// is only allowed on"
        " loopback, since the credentials and tokens would travel in clear)"
    )
    raise SettingError(msg)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _explain(error: t.Any) -> str:
    """A jsonschema error as one line that names the setting."""
    if error.validator == "required":
        name = error.message.split("'")[1]
        return f"setting {name} is missing: set it (the Zoom app's {name.replace('_', ' ')})"
    name = ".".join(str(part) for part in error.absolute_path) or "config"
    if name == "client_secret":  # never echo a secret, even a malformed one
        return f"setting {name}: must be the app's client secret, as a string"
    if name == "videosdk_api_secret":
        return f"setting {name}: must be the Video SDK account's API secret, as a string"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"setting {name}: {error.instance!r} is not one of: {allowed}"
    return f"setting {name}: {' '.join(error.message.split())}"
