"""Every bad file or setting: one line `tap-zoom-logs: error: ...` naming it, exit code 1.

The file arguments (--config, --state, --catalog), the settings given as environment
variables (--config ENV) and the SDK's built-in settings (stream maps, flattening), which
used to end in 30 to 60 lines of traceback. Nothing is sent to Zoom, no secret is echoed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tap_zoom_logs import cli
from tests.support.tap import (
    FIELDS,
    TapRun,
    assert_nothing_sent,
    one_line_error,
    run_cli,
    run_executable,
    secrets_of,
)


def refused(run: TapRun, emulator: Any, *names: str) -> str:
    """One line naming each of `names`, the only line that speaks of an error; nothing sent,
    nothing on stdout, no secret echoed."""
    line = one_line_error(run, *names)
    assert [x for x in run.stderr.splitlines() if "error" in x.lower()] == [line], run.stderr
    assert_nothing_sent(run, emulator)
    assert_no_secret(emulator, run)
    return line


def assert_no_secret(emulator: Any, run: TapRun) -> None:
    for secret in secrets_of(emulator):
        assert secret not in run.stdout
        assert secret not in run.stderr


def env_of(config: dict[str, Any]) -> dict[str, str]:
    return {f"TAP_ZOOM_LOGS_{k.upper()}": str(v) for k, v in config.items()}


# --------------------------------------------------------------------------- files

# file content (None: the path does not exist; "DIR": a directory), what the line says
BAD_FILES: dict[str, tuple[str | None, str]] = {
    "missing": (None, "no such file"),
    "a directory": ("DIR", "is a directory"),
    "broken JSON": ('{"streams": [', "not valid JSON"),
    "empty": ("", "not valid JSON"),
    "a JSON list": ("[1, 2]", "must hold a JSON object"),
    "not UTF-8": ("\udcff", "not UTF-8"),
}


def write_file(path: Path, content: str | None) -> Path:
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
    return path


def bad_file_args(tap, tmp_path: Path, option: str, content: str | None) -> list[str]:
    bad = write_file(tmp_path / f"bad-{option[2:]}.json", content)
    if option == "--config":
        return [option, str(bad)]
    good = tmp_path / "config.json"
    good.write_text(json.dumps(tap.config()))
    return ["--config", str(good), option, str(bad)]


@pytest.mark.parametrize("option", ["--config", "--state", "--catalog"])
@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_argument_is_one_line_and_exit_1(tap, emulator, tmp_path, option, case):
    """Through the command's entry point, in this process."""
    content, says = BAD_FILES[case]
    args = bad_file_args(tap, tmp_path, option, content)

    run = run_cli(args)

    line = refused(run, emulator, option, args[-1], says)
    assert line == run.stderr.strip(), "the line is all that is printed"


def test_the_executable_prints_only_the_line_for_a_bad_file(tap, emulator, tmp_path):
    args = bad_file_args(tap, tmp_path, "--state", '{"streams": [')

    run = run_executable(args)

    line = refused(run, emulator, "--state", args[-1], "not valid JSON")
    assert line == run.stderr.strip(), "the line is all that is printed"


def test_the_equals_form_of_an_option_is_checked_too(tmp_path, emulator):
    run = run_cli([f"--catalog={tmp_path / 'nowhere.json'}", "--about"], singer=False)
    refused(run, emulator, "--catalog", "nowhere.json", "no such file")


def test_broken_json_around_the_secret_does_not_echo_it(tap, emulator, tmp_path):
    text = json.dumps(tap.config())[:-1] + ", oops}"  # the secret is in the file
    path = tmp_path / "config.json"
    path.write_text(text)

    run = run_cli(["--config", str(path)])

    refused(run, emulator, "--config", "not valid JSON", "line 1")


def test_config_env_is_not_a_file(tap, tmp_path, monkeypatch):
    """`--config ENV` reads the environment; no file named ENV is looked for."""
    monkeypatch.chdir(tmp_path)
    run = run_cli(["--config", "ENV", "--discover"], env=env_of(tap.config()), singer=False)

    assert run.returncode == 0, run.stderr[-2000:]
    assert {s["tap_stream_id"] for s in json.loads(run.stdout)["streams"]} == set(FIELDS)


# --------------------------------------------------------------------------- settings

MAPS = {"activity_logs": {"email": "md5(email) if email else None", "ip_address": "__NULL__"}}

# config overrides, the setting the line must name, what else it must say
BAD_SETTINGS: dict[str, tuple[dict[str, Any], str, str]] = {
    "stream_maps a string": (
        {"stream_maps": json.dumps(MAPS)},
        "setting stream_maps:",
        "JSON object",
    ),
    "stream_maps a list": ({"stream_maps": [MAPS]}, "setting stream_maps:", "JSON object"),
    "a stream map a string": (
        {"stream_maps": {"activity_logs": "md5(email)"}},
        "setting stream_maps.activity_logs:",
        "property expressions",
    ),
    "an expression a number": (
        {"stream_maps": {"activity_logs": {"email": 5}}},
        "setting stream_maps.activity_logs.email:",
        "expression",
    ),
    "__else__ not __NULL__": (
        {"stream_maps": {"__else__": "drop"}},
        "setting stream_maps.__else__:",
        "__NULL__",
    ),
    "an expression that does not parse": (
        {"stream_maps": {"activity_logs": {"email": "md5(email"}}},
        "setting stream_maps:",
        "md5(email",
    ),
    "a filter that does not parse": (
        {"stream_maps": {"operation_logs": {"__filter__": "action ==="}}},
        "setting stream_maps:",
        "action ===",
    ),
    "stream_map_config a string": (
        {"stream_map_config": "pepper-1234"},
        "setting stream_map_config:",
        "JSON object",
    ),
    "faker_config.seed a list": (
        {"faker_config": {"seed": [1]}},
        "setting faker_config.seed:",
        "a number",
    ),
    "flattening_enabled a string": (
        {"flattening_enabled": "yes"},
        "setting flattening_enabled:",
        "true or false",
    ),
    "flattening_max_depth a string": (
        {"flattening_enabled": True, "flattening_max_depth": "deep"},
        "setting flattening_max_depth:",
        "whole number",
    ),
    "flattening without a depth": (
        {"flattening_enabled": True},
        "setting flattening_max_depth",
        "flattening_enabled",
    ),
    "flattening_max_key_length a float": (
        {"flattening_max_key_length": 2.5},
        "setting flattening_max_key_length:",
        "whole number",
    ),
    "flattening_separator a number": (
        {"flattening_separator": 1},
        "setting flattening_separator:",
        "a string",
    ),
}


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=list(BAD_SETTINGS))
def test_a_bad_builtin_setting_is_one_line_naming_it(tap, emulator, case):
    overrides, setting, says = BAD_SETTINGS[case]
    run = tap.run(tap.config(**overrides), in_process=True)  # asserts no secret in the output

    line = refused(run, emulator, setting, says)
    assert "pepper-1234" not in line, "a stream_map_config value may be a salt: never quoted"


# environment variable, its value, what the line must say
BAD_ENV = {
    "stream maps not JSON": ("TAP_ZOOM_LOGS_STREAM_MAPS", "{activity_logs:", "JSON object"),
    "stream maps a JSON string": (
        "TAP_ZOOM_LOGS_STREAM_MAPS",
        '"activity_logs"',
        "setting stream_maps:",
    ),
    "flattening depth a word": ("TAP_ZOOM_LOGS_FLATTENING_MAX_DEPTH", "deep", "whole number"),
    "page size a word": ("TAP_ZOOM_LOGS_PAGE_SIZE", "many", "whole number"),
}


@pytest.mark.parametrize("case", BAD_ENV, ids=list(BAD_ENV))
def test_a_bad_environment_variable_is_one_line_naming_it(tap, emulator, case):
    variable, value, says = BAD_ENV[case]
    run = run_cli(["--config", "ENV"], env={**env_of(tap.config()), variable: value})

    setting = variable.removeprefix("TAP_ZOOM_LOGS_").lower()
    refused(run, emulator, setting, says)


# an expression that parses but fails on the records: the run stops at the first record
FAILING_EXPRESSIONS = {
    "an unknown function": ("nosuchfn(email)", "nosuchfn(email)"),
    "md5 of a missing email": ("md5(email)", "md5(email) if email else None"),
}


@pytest.mark.parametrize("case", FAILING_EXPRESSIONS, ids=list(FAILING_EXPRESSIONS))
def test_an_expression_failing_on_a_record_is_one_line(tap, emulator, case):
    expression, says = FAILING_EXPRESSIONS[case]
    if "md5" in expression:  # the case needs an entry without email: plant one
        start = range_of(tap.config())[0]
        emulator.add_entry("activity_logs", {"time": f"{start[:10]}T12:00:00Z", "type": "Sign in"})
        entries = emulator.truth("activity_logs", *range_of(tap.config()))
        assert any(e.get("email") is None for e in entries), "no entry without email"
    run = tap.run(tap.config(stream_maps={"activity_logs": {"email": expression}}))

    one_line_error(run, "setting stream_maps", says)


# --------------------------------------------------------------------------- maps that work


def range_of(config: dict[str, Any]) -> tuple[Any, Any]:
    return config["start_date"], config["end_date"]


def hashed(entry: dict[str, Any]) -> tuple[Any, ...]:
    """What the privacy map makes of an activity entry: email hashed, ip_address dropped."""
    email = entry.get("email")
    digest = hashlib.md5(email.encode()).hexdigest() if email else None
    return tuple(
        digest if name == "email" else entry.get(name)
        for name in FIELDS["activity_logs"]
        if name != "ip_address"
    )


@pytest.mark.parametrize("how", ["config file", "environment variable"])
def test_the_privacy_map_hashes_email_and_drops_ip_address(tap, emulator, tmp_path, how):
    config = tap.config()
    if how == "config file":
        run = tap.run({**config, "stream_maps": MAPS})
    else:
        env = {**env_of(config), "TAP_ZOOM_LOGS_STREAM_MAPS": json.dumps(MAPS)}
        run = run_executable(["--config", "ENV"], env=env, cwd=tmp_path)

    assert run.returncode == 0, run.stderr[-2000:]
    records = run.records["activity_logs"]
    assert records
    assert all("ip_address" not in r for r in records)
    keep = [n for n in FIELDS["activity_logs"] if n != "ip_address"]
    got = Counter(tuple(r[n] for n in keep) for r in records)
    want = Counter(hashed(e) for e in emulator.truth("activity_logs", *range_of(config)))
    assert got == want
    # the other stream passes unchanged
    assert run.records["operation_logs"]
    assert all("operator" in r for r in run.records["operation_logs"])


def test_a_salted_hash_reads_the_salt_from_stream_map_config(tap, emulator):
    """The README's salted variant: md5(salt + email), the salt in stream_map_config."""
    salt = "pepper-1234"
    expression = "md5(config['salt'] + email) if email else None"
    config = tap.config(
        stream_map_config={"salt": salt}, stream_maps={"activity_logs": {"email": expression}}
    )
    run = tap.run(config)

    assert run.returncode == 0, run.stderr[-2000:]
    entries = emulator.truth("activity_logs", *range_of(config))
    want = Counter(
        hashlib.md5((salt + e["email"]).encode()).hexdigest() if e.get("email") else None
        for e in entries
    )
    assert Counter(r["email"] for r in run.records["activity_logs"]) == want
    assert salt not in run.stderr


# --------------------------------------------------------------------------- the last line


def test_nothing_is_logged_after_the_reason(capsys):
    """When a run stops, windows still in flight finish their request in other threads: at
    DEBUG (urllib3) or on a retry they log, and a line after the reason made the reason no
    longer the last line (seen in the redaction and faulty-run tests under load)."""
    logger = logging.getLogger("tap-zoom-logs")
    handler = logging.StreamHandler(sys.stderr)
    logger.addHandler(handler)
    try:
        with pytest.raises(SystemExit) as stopped:
            cli.fail("it broke")
        late = threading.Thread(target=logger.error, args=("a window still finishing",))
        late.start()
        late.join()
    finally:
        logger.removeHandler(handler)
        logging.disable(logging.NOTSET)

    assert stopped.value.code == 1
    assert capsys.readouterr().err.splitlines()[-1] == "tap-zoom-logs: error: it broke"


class _SlowFormatter(logging.Formatter):
    """Holds a log line inside its handler (lock taken, not yet written) for a moment."""

    def __init__(self, inside: threading.Event) -> None:
        super().__init__()
        self.inside = inside

    def format(self, record: logging.LogRecord) -> str:
        self.inside.set()
        time.sleep(0.3)
        return super().format(record)


def test_a_line_already_being_logged_is_written_before_the_reason(capsys):
    """The race CI caught: urllib3's debug line about a window's last request was already
    inside the handler when the reason was written, and came out after it."""
    logger = logging.getLogger("tap-zoom-logs")
    inside = threading.Event()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SlowFormatter(inside))
    logger.addHandler(handler)
    late = threading.Thread(target=logger.error, args=("a window's last request",))
    try:
        late.start()
        assert inside.wait(5), "the late line never reached its handler"
        with pytest.raises(SystemExit):
            cli.fail("it broke")
        late.join()
    finally:
        logger.removeHandler(handler)
        logging.disable(logging.NOTSET)

    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == "tap-zoom-logs: error: it broke", lines


# --------------------------------------------------------------------------- --test


def test_help_says_what_the_connection_test_does():
    run = run_cli(["--help"], singer=False)

    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())
    assert "sync a single record" not in text, "the SDK's --test, not this tap's"
    assert "credentials, the app's scope and the role permission" in text


def test_the_connection_test_answer_is_not_buried_under_setting_lines(tap, emulator):
    """Meltano's `test` command passes every setting as a TAP_ZOOM_LOGS_* variable: the SDK
    logged one line per variable, two dozen lines before the answer."""
    run = run_executable(["--config", "ENV", "--test"], env=env_of(tap.config()))

    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stderr.splitlines()
    answers = [i for i, line in enumerate(lines) if re.search(r"\b[a-z_]+_logs: OK\b", line)]
    assert len(answers) == 2, run.stderr[-2000:]
    before = lines[: answers[0]]
    assert not [line for line in before if "TAP_ZOOM_LOGS_" in line], before
    assert_no_secret(emulator, run)
