"""`tap-zoom-logs`: the SDK's command, with every bad input as one line and exit code 1.

Before the SDK's click command sees them, the `--config`, `--state` and `--catalog` files
are checked (they exist, can be read, hold a JSON object), and so are the settings given
as environment variables with `--config ENV`. Errors the SDK raises about settings (config
validation, stream maps, flattening) become one line `tap-zoom-logs: error: ...` instead
of a traceback. No message quotes a setting's value. The SDK's INFO line per variable read
is left out: through Meltano's `test` command it buried the connection test's answer.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import os
import signal
import sys
import traceback
import typing as t
from pathlib import Path

import click
from jsonschema.exceptions import ValidationError

# A private module: the SDK's own parser of TAP_ZOOM_LOGS_* variables, used to try each
# variable alone and name the one it cannot read. tests/test_cli.py's environment cases
# fail if the SDK moves or changes it.
from singer_sdk.configuration._dict_config import parse_environment_config
from singer_sdk.exceptions import ConfigValidationError, MapExpressionError, StreamMapConfigError

from tap_zoom_logs.errors import Interrupted, TapZoomLogsError
from tap_zoom_logs.output import stdout_to_nowhere
from tap_zoom_logs.tap import TapZoomLogs

if t.TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import TracebackType

PROG = "tap-zoom-logs"
FILE_OPTIONS = ("--config", "--state", "--catalog")


class InputError(Exception):
    """A file argument, environment variable or setting the tap cannot use."""


def main(argv: Sequence[str] | None = None) -> None:
    """Run the tap; exit 1 with one line on stderr for anything it cannot use."""
    args = list(sys.argv[1:] if argv is None else argv)
    # The SDK logs a line for each TAP_ZOOM_LOGS_* variable it reads: with `--config ENV`
    # (Meltano's `test` command passes every setting that way) two dozen lines of setting
    # names before, and above, the answer. A variable it cannot read is still one line.
    logging.getLogger(parse_environment_config.__module__).setLevel(logging.WARNING)
    try:
        if sys.stdout is None:  # started with stdout closed (`>&-`): Python leaves None
            msg = "standard output is closed: the tap writes its Singer messages there"
            raise InputError(msg + "; send it to a target or a file")
        check_arguments(args)
        code = TapZoomLogs.cli.main(args=args, prog_name=PROG, standalone_mode=False)
        sys.stdout.flush()
    except Interrupted as exc:
        # Stopping already: a second signal must not end the process by its default action
        # (no exit code of ours, no line) while Python shuts down.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)
        _flush_what_can_be()
        _last_line(f"{PROG}: {exc}")
        sys.exit(exc.exit_code)
    except TapZoomLogsError as exc:
        fail(str(exc), exc.exit_code)
    except InputError as exc:
        fail(str(exc))
    except ConfigValidationError as exc:
        fail("; ".join(exc.errors or []) or str(exc))
    except (StreamMapConfigError, MapExpressionError) as exc:
        fail(f"setting stream_maps: {exc}")
    except ValidationError as exc:
        name = ".".join(str(part) for part in exc.absolute_path) or "config"
        fail(f"setting {name}: not valid ({exc.validator} check failed)")
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        sys.exit(1)
    except Exception as exc:
        # A stream map expression that fails on a record raises whatever Python raised
        # (md5(None) is an AttributeError): name the setting rather than print a traceback.
        if not _raised_in_stream_maps(exc.__traceback__):
            raise
        fail(
            f"setting stream_maps: an expression failed on a record ({type(exc).__name__}:"
            f" {exc}); a field Zoom left out is None in an expression: guard it, e.g."
            " md5(email) if email else None"
        )
    sys.exit(code if isinstance(code, int) else 0)


def _flush_what_can_be() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_to_nowhere()


def fail(message: str, code: int = 1) -> t.NoReturn:
    _last_line(f"{PROG}: error: {message}")
    sys.exit(code)


def _last_line(line: str) -> None:
    """Write the run's reason as the last line of stderr: worker threads still finishing a
    request (and urllib3's debug lines about it) log nothing after it."""
    logging.disable(logging.CRITICAL)
    # A thread that passed the level check before the line above may be inside a handler,
    # or waiting for its lock: setStream waits for the handler's lock, so once it returns
    # nothing is half-written, and whatever still gets through goes nowhere.
    for handler in _stderr_handlers():
        handler.setStream(io.StringIO())  # a few lines at most
    if sys.stderr is None:  # stderr closed too: the exit code is all there is
        return
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _stderr_handlers() -> list[logging.StreamHandler[t.TextIO]]:
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return [
        handler
        for logger in loggers
        for handler in logger.handlers
        if isinstance(handler, logging.StreamHandler)
        and handler.stream in (sys.stderr, sys.__stderr__)
    ]


def _raised_in_stream_maps(tb: TracebackType | None) -> bool:
    return any(
        Path(frame.filename).name == "mapper.py" and "singer_sdk" in frame.filename
        for frame in traceback.extract_tb(tb)
    )


# --------------------------------------------------------------------------- arguments


def check_arguments(args: Sequence[str]) -> None:
    """Refuse, in one line, a file argument or environment setting the tap cannot read."""
    env = False
    for option, value in file_arguments(args):
        if option == "--config" and value == "ENV":
            env = True
        elif value != "-":  # click reads "-" as standard input
            check_json_file(option, value)
    if env:
        check_environment()


def file_arguments(args: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(option, value) of each --config, --state and --catalog, as click would read them."""
    items = iter(args)
    for arg in items:
        if arg == "--":
            return
        option, equals, value = arg.partition("=")
        if option not in FILE_OPTIONS:
            continue
        if not equals:
            value = next(items, "")
            if not value:
                return  # click says that the option needs a value
        yield option, value


def check_json_file(option: str, name: str) -> None:
    path = Path(name)
    where = f"{option} {name}"
    if not path.exists():
        raise InputError(f"{where}: no such file")
    if path.is_dir():
        raise InputError(f"{where}: is a directory, not a JSON file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{where}: not UTF-8 text, so not a JSON file") from None
    except OSError as exc:
        raise InputError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        # the position only: the parser's message never quotes the file's text
        reason = f"{exc.msg}: line {exc.lineno} column {exc.colno}"
        raise InputError(f"{where}: not valid JSON ({reason})") from None
    except ValueError:
        raise InputError(f"{where}: not valid JSON") from None
    if not isinstance(content, dict):
        raise InputError(f"{where}: must hold a JSON object ({{...}}), not {_json_kind(content)}")


def _json_kind(value: t.Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a number" if not isinstance(value, bool) else "true or false"


def check_environment() -> None:
    """`--config ENV`: each TAP_ZOOM_LOGS_<SETTING> must read as its setting's type.

    The SDK parses them (int(), JSON) before any validation, and a value it cannot parse
    ends in a traceback; parse each alone here to say which one."""
    schema = copy.deepcopy(TapZoomLogs.config_jsonschema)
    TapZoomLogs.append_builtin_config(schema)
    prefix = f"{TapZoomLogs.name.upper().replace('-', '_')}_"
    for name, spec in schema.get("properties", {}).items():
        variable = prefix + name.upper().replace("-", "_")
        if variable not in os.environ:
            continue
        try:
            parse_environment_config({"properties": {name: spec}}, prefix)
        except Exception:
            raise InputError(
                f"environment variable {variable} (setting {name}): must be {_expected_text(spec)}"
            ) from None


def _expected_text(spec: dict[str, t.Any]) -> str:
    kinds = spec.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if "integer" in kinds:
        return "a whole number"
    if "object" in kinds:
        return "a JSON object, like {...}"
    if "array" in kinds:
        return "a JSON list, like [...]"
    return "a value of type " + " or ".join(str(k) for k in kinds)


if __name__ == "__main__":
    main()
