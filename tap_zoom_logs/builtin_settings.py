"""The SDK's built-in settings (stream maps, flattening, batch), checked as the tap's own are.

The SDK adds `stream_maps`, `stream_map_config`, `faker_config` and the `flattening_*`
settings to every tap that has the capabilities, but validates them only in its own
`_validate_config`, which the tap replaces. A wrong value then surfaces deep inside the
SDK as a traceback (`'str' object has no attribute 'items'`, `'>' not supported between
'str' and 'int'`). This module checks them against the SDK's own schema, up front, and
says what is wrong in one line that names the setting. It never quotes a value: a
`stream_map_config` may well hold a hashing salt.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import typing as t

from jsonschema import Draft7Validator

from tap_zoom_logs.errors import SettingError

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, MutableMapping

    from jsonschema.exceptions import ValidationError
    from singer_sdk.plugin_base import PluginBase
    from singer_sdk.streams import Stream

#: What each JSON-schema type is called in an error message.
_KIND = {
    "object": "a JSON object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}

_STREAM_MAP = (
    'an object of property expressions (like {"email": "md5(email) if email else None",'
    ' "ip_address": null}), null or "__NULL__"'
)
_EXPRESSION = 'an expression (a string), null or "__NULL__"'


def builtin_settings_schema(plugin: type[PluginBase]) -> dict[str, t.Any]:
    """The JSON schema of the built-in settings `plugin`'s capabilities add, alone."""
    schema: dict[str, t.Any] = {"type": "object", "properties": {}}
    plugin.append_builtin_config(schema)
    return t.cast("dict[str, t.Any]", _repaired(copy.deepcopy(schema)))


def _repaired(schema: t.Any) -> t.Any:
    """The SDK writes one sub-schema of an anyOf as the bare string "null", which
    jsonschema cannot read (it fails with AttributeError): read it as {"type": "null"}."""
    if isinstance(schema, list):
        return [_repaired(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    repaired = {key: _repaired(value) for key, value in schema.items()}
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(repaired.get(key), list):
            repaired[key] = [{"type": "null"} if s == "null" else s for s in repaired[key]]
    return repaired


def check_builtin_settings(config: Mapping[str, t.Any], schema: Mapping[str, t.Any]) -> None:
    """Raise SettingError, naming the setting, for the first built-in setting in `config`
    that `schema` (from builtin_settings_schema) refuses."""
    names = set(schema.get("properties", {}))
    present = {name: config[name] for name in names if name in config}
    errors = sorted(Draft7Validator(dict(schema)).iter_errors(present), key=_order)
    if errors:
        raise SettingError(_explain(_innermost(errors[0])))
    if present.get("flattening_enabled") is True and present.get("flattening_max_depth") is None:
        msg = (
            "setting flattening_max_depth is missing: flattening_enabled is true, so set"
            " how many levels of nested properties to flatten (e.g. 1)"
        )
        raise SettingError(msg)
    if present.get("batch_config"):
        _check_batch_config(present["batch_config"])


def prepare_batch_config(config: MutableMapping[str, t.Any]) -> None:
    """batch_config as the SDK's writer and its targets need it, in place.

    Given as JSON text (`meltano config set tap-zoom-logs batch_config '{...}'` stores it as
    a string), it is read as the object it spells. The SDK writes jsonl batch files gzipped
    whatever `compression` says, and a target reads them by what it says: jsonl's
    compression is gzip unless it is set (to something else, which _check_batch_config
    refuses).
    """
    value = config.get("batch_config")
    if isinstance(value, str):
        try:
            value = config["batch_config"] = json.loads(value) if value.strip() else None
        except json.JSONDecodeError as exc:
            msg = f"setting batch_config: must be a JSON object, not text that is not JSON ({exc})"
            raise SettingError(msg) from None
    encoding = value.get("encoding") if isinstance(value, dict) else None
    if isinstance(encoding, dict) and encoding.get("format") == "jsonl":
        encoding.setdefault("compression", "gzip")


def _check_batch_config(batch: Mapping[str, t.Any]) -> None:
    """What the SDK's schema leaves optional but its batch writer needs (else a TypeError
    or an ImportError once the first records are read)."""
    for part, leaf, example in (
        ("encoding", "format", "jsonl"),
        ("storage", "root", "file://local/batches"),
    ):
        if not (batch.get(part) or {}).get(leaf):
            msg = f"setting batch_config.{part}.{leaf} is missing: set it (e.g. {example})"
            raise SettingError(msg)
    encoding = batch["encoding"]
    if encoding["format"] == "jsonl" and encoding.get("compression") != "gzip":
        msg = (
            "setting batch_config.encoding.compression: jsonl batch files are always gzipped"
            " (the SDK's writer), so a target would misread them: set gzip, or leave it out"
        )
        raise SettingError(msg)
    if encoding["format"] == "parquet" and importlib.util.find_spec("pyarrow") is None:
        msg = (
            "setting batch_config.encoding.format: parquet needs pyarrow, which is not"
            " installed: install tap-zoom-logs[parquet], or use jsonl"
        )
        raise SettingError(msg)


def check_batch_streams(streams: Iterable[Stream]) -> None:
    """One stream map per stream with batch_config: the SDK writes one file per stream and
    names it in a BATCH message for each map, so two maps would share one map's records."""
    for stream in streams:
        if len(stream.stream_maps) > 1:
            msg = (
                f"setting stream_maps: {stream.name} is mapped to"
                f" {len(stream.stream_maps)} streams, which batch_config cannot write (one"
                " file holds one stream's records): remove batch_config or the extra maps"
            )
            raise SettingError(msg)


def _order(error: ValidationError) -> tuple[int, str]:
    """The outermost error first (a stream map that is not an object before its parts)."""
    return len(error.absolute_path), ".".join(str(p) for p in error.absolute_path)


def _innermost(error: ValidationError) -> ValidationError:
    """Of an anyOf/oneOf failure, the failure deepest in the value (for a stream map that is
    an object, the property whose expression is wrong), else the failure itself."""
    depth = len(error.absolute_path)
    deeper = [e for e in error.context or () if len(e.absolute_path) > depth]
    if not deeper:
        return error
    return _innermost(max(deeper, key=lambda e: len(e.absolute_path)))


def _explain(error: ValidationError) -> str:
    path = [str(part) for part in error.absolute_path]
    name = ".".join(path)
    got = _type_name(error.instance)
    if path[0] == "stream_maps" and len(path) == 1:
        expected = "a JSON object of stream names to stream maps"
    elif path[0] == "stream_maps" and len(path) == 2 and path[1] == "__else__":
        expected = 'null or "__NULL__" (the other streams are then left out)'
    elif path[0] == "stream_maps" and len(path) == 2:
        expected = _STREAM_MAP
    elif path[0] == "stream_maps" and len(path) == 3:
        expected = _EXPRESSION
    else:
        expected = _expected(error)
    return f"setting {name}: must be {expected}, not {got}"


def _expected(error: ValidationError) -> str:
    kinds = error.schema.get("type") if isinstance(error.schema, dict) else None
    if error.validator == "type" and kinds:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        return " or ".join(_KIND.get(kind, kind) for kind in kinds if kind != "null")
    if error.validator in {"anyOf", "oneOf"} and error.context:
        alternatives = [_expected(e) for e in error.context if e.validator == "type"]
        alternatives = [a for a in alternatives if a]
        if alternatives:
            return " or ".join(dict.fromkeys(alternatives))
    return f"what the setting's schema allows ({error.validator})"


def _type_name(value: t.Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    kinds = ((str, "a string"), (int, "a number"), (float, "a number"), (list, "a list"))
    for kind, name in kinds:
        if isinstance(value, kind):
            return name
    if isinstance(value, dict):
        return "an object of this shape"
    return "null" if value is None else type(value).__name__
