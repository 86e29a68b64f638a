"""The documentation's commands work as written: each one in the ```bash blocks of the
README and of every page of docs/ runs, page after page, in order.

They run in a fresh copy of the project (its files as git sees them, meltano.yml with the
pages' ```yaml snippets merged in), against the emulator and the session's PostgreSQL
server, in one shell environment carried from command to command (an `export` or a `.`
holds for the commands after it). The commands that create a virtualenv create it: the
install without a clone installs the tap from this repository's git URL, the plain Singer
path installs the tap and target-jsonl for real; only Meltano and its plugins come from the
checkout (.venv-meltano, .meltano: the harness made them with the README's own commands).
What a user fills in is filled in the same way: `NAME=...` from the emulator's credentials,
local/config.json with the emulator's settings, `<repository-url>` with this repository,
the secret typed on standard input, and the targets' settings the comments name as
environment variables. A command a page says to run in a second terminal runs in the
background until the test ends.

A command is skipped only when listed in SKIPPED, with the reason; a command a page gains
is run unless it is added there, and a SKIPPED entry the pages lost fails the test.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.support.pipeline import REPO, Pipeline, meltano_env, tap_env

pytestmark = pytest.mark.pipeline

README = REPO / "README.md"
#: The emulator's page last: its `. local/emulator.env` points the shell at its own
#: emulator, and the commands after it would run against that one.
EMULATOR_PAGE = REPO / "docs" / "emulator.md"
PAGES = [README, *sorted(set((REPO / "docs").glob("*.md")) - {EMULATOR_PAGE}), EMULATOR_PAGE]

SKIPPED = {
    "git clone <repository-url> tap-zoom-logs && cd tap-zoom-logs": (
        "the tests run in a checkout already (the install from the git URL clones it)"
    ),
    "python3 scripts/demo.py": "tests/pipeline/test_demo.py runs the demo",
    "scripts/test.sh": "the command that runs these tests",
    "scripts/clock_sweep.sh": "runs the other tests at 32 moments (about 3.5 h): not in CI",
    (
        "python3 -m venv .venv-meltano && .venv-meltano/bin/pip install -r requirements-meltano.txt"
    ): "the harness creates .venv-meltano with these two commands (_ensure_meltano)",
    "meltano install": "the session's meltano_project fixture runs it",
    "python benchmarks/run.py": "the benchmark: tens of minutes of load, not a test",
    "python benchmarks/run.py --quick": "the benchmark's smoke run: load, not a test",
    "python benchmarks/run.py --baseline REF": "the benchmark beside an older version",
}
#: Commands the pages run in a second terminal (servers), and the file each writes last,
#: once it is ready: started in the background, waited for, stopped when the test ends.
EMULATOR_COMMAND = (
    ".venv/bin/python -m zoom_emulator --port 8765"
    " --config-out local/emulator.json --exports local/emulator.env"
)
BACKGROUND = {EMULATOR_COMMAND: "local/emulator.env"}

PLACEHOLDER = re.compile(r"\b([A-Z][A-Z0-9_]*)=\.\.\.")
REPOSITORY_URL = "<repository-url>"


def page_blocks(language: str) -> list[tuple[Path, str]]:
    """The ```language blocks of every page, page after page, each with its page."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        pattern = rf"^```{language}\n(.*?)^```"
        found += [(page, b) for b in re.findall(pattern, text, flags=re.DOTALL | re.MULTILINE)]
    return found


def blocks(language: str) -> list[str]:
    return [block for _, block in page_blocks(language)]


def page_commands() -> list[tuple[Path, str]]:
    """The commands of the pages' bash blocks, each with its page: continuation lines
    joined, comments out."""
    commands = []
    for page, block in page_blocks("bash"):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append((page, line.strip()))
    return commands


def readme_commands() -> list[str]:
    return [command for _, command in page_commands()]


def without_comment(command: str) -> str:
    """The command without a trailing `# ...` comment (for matching SKIPPED)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=False)
    lexer.commenters = "#"
    lexer.whitespace_split = True
    words = list(lexer)
    return " ".join(words)


def test_every_skipped_command_is_still_in_the_pages():
    commands = {without_comment(c) for c in readme_commands()}
    assert set(SKIPPED) <= commands, set(SKIPPED) - commands
    assert set(BACKGROUND) <= commands, set(BACKGROUND) - commands
    assert len(readme_commands()) > len(SKIPPED) + 25, "the pages' commands were not found"


def test_every_page_with_commands_is_run():
    """The pages are the README and every page of docs/: a new page's commands are run
    too, and the pages that hold commands today are among them."""
    assert set(PAGES) == {README, *(REPO / "docs").glob("*.md")}
    with_commands = {p.name for p in PAGES if "```bash\n" in p.read_text(encoding="utf-8")}
    assert {"README.md", "meltano.md", "emulator.md", "troubleshooting.md"} <= with_commands


@pytest.fixture
def readme_project(tmp_path: Path) -> Path:
    """A fresh copy of the project: the files git sees (committed or not, never ignored
    ones such as .venv), meltano.yml with the README's YAML snippet merged in, and links to
    the checkout's Meltano (.venv-meltano) and Meltano plugins (.meltano)."""
    root = tmp_path / "project"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # not a file deleted in the working tree
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    project = yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))
    for snippet in blocks("yaml"):
        extra = yaml.safe_load(snippet)
        for kind, plugins in (extra.get("plugins") or {}).items():
            project["plugins"][kind].extend(plugins)
    (root / "meltano.yml").write_text(yaml.safe_dump(project, sort_keys=False))
    for name in (".venv-meltano", ".meltano"):
        (root / name).symlink_to(REPO / name)
    return root


@contextlib.contextmanager
def in_background(command: str, ready: Path, env: dict[str, str], cwd: Path) -> Iterator[None]:
    """`command` running beside the others (a second terminal), once it wrote `ready`."""
    log = cwd / f"{ready.name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"], cwd=cwd, env=env, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 60
        while not (ready.exists() and ready.stat().st_size):
            assert process.poll() is None, f"{command}\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"{command}: {ready.name} never came"
            time.sleep(0.1)
        yield
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as the README says
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_in_shell(
    command: str, env: dict[str, str], cwd: Path, stdin: str | None
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """`command` in bash; the environment it leaves behind, for the next command."""
    env_file = cwd / ".readme-env"
    script = f"{command}\nstatus=$?\nenv -0 > {shlex.quote(str(env_file))}\nexit $status\n"
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    after = env
    if env_file.exists():
        pairs = env_file.read_text().split("\0")
        after = dict(p.split("=", 1) for p in pairs if "=" in p)
        env_file.unlink()
    return done, after


def test_the_readmes_commands_work_as_written(pipeline: Pipeline, readme_project: Path) -> None:
    config = pipeline.config()
    credentials = {k: config[k] for k in ("account_id", "client_id", "client_secret")}
    # What the user has: Zoom's address (here the emulator's) and the run's range in the
    # environment; the credentials come from the README's own export line.
    env = meltano_env(pipeline.sysdb, readme_project)
    env.pop("MELTANO_SYS_DIR_ROOT")  # the copy links .meltano itself, as a checkout has it
    env.update(tap_env({k: v for k, v in config.items() if k not in credentials}))
    # The targets' settings the README's comments name (host, port, user, password,
    # database); the schemas are meltano.yml's and the README's YAML's.
    assert pipeline.pg is not None
    env.update(pipeline.pg.target_env(pipeline.schema))
    env.update(pipeline.pg.pipelinewise_env(pipeline.schema))
    for name in ("TARGET_POSTGRES_", "TARGET_POSTGRES_PIPELINEWISE_"):
        del env[name + "DEFAULT_TARGET_SCHEMA"]
    # and the security layer where a user's goes (zoom_security_*), as the pages query it
    env.pop("DBT_POSTGRES_SCHEMA", None)
    for account in ("EMEA", "AMERICAS"):
        env.update({f"TAP_ZOOM_LOGS__{account}_{k.upper()}": v for k, v in credentials.items()})
    (readme_project / "local").mkdir()
    (readme_project / "local" / "config.json").write_text(json.dumps(config))
    typed = {f"TAP_ZOOM_LOGS_{k.upper()}": str(v) for k, v in credentials.items()}

    ran: list[tuple[Path, str]] = []
    with contextlib.ExitStack() as servers:
        previous: Path | None = None
        for page, command in page_commands():
            if page == EMULATOR_PAGE != previous:
                # A fresh terminal for the emulator: no tap setting of the commands before
                # (the harness's page_size, a start_date) helps its exports along.
                env = {k: v for k, v in env.items() if not k.startswith("TAP_ZOOM_LOGS_")}
            previous = page
            if without_comment(command) in SKIPPED:
                continue
            if without_comment(command) in BACKGROUND:
                ready = readme_project / BACKGROUND[without_comment(command)]
                servers.enter_context(in_background(command, ready, env, readme_project))
                ran.append((page, command))
                continue
            filled = PLACEHOLDER.sub(lambda m: f"{m[1]}={shlex.quote(typed[m[1]])}", command)
            filled = filled.replace(REPOSITORY_URL, REPO.as_uri())
            stdin = credentials["client_secret"] + "\n" if "--from-file -" in command else None
            done, env = run_in_shell(filled, env, readme_project, stdin)
            output = done.stdout + done.stderr
            assert done.returncode == 0, f"{command}\nexit {done.returncode}\n{output[-3000:]}"
            assert "Traceback" not in output, f"{command}\n{output[-3000:]}"
            ran.append((page, command))
        served = emulator_stats(readme_project)

    # the emulator's own commands: the plain tap (its test and its sync) and Meltano (with
    # the exported settings) all came to it, and read its days, not six months
    assert served["tokens_issued"] >= 3, served
    # (40 days of data, a page a day: about 42 requests a run, against 180 for six months)
    assert 0 < served["requests"]["activities"] < 3 * (40 + 5), served
    commands = [command for _, command in ran]
    assert any(c.startswith("meltano run") for c in commands)
    assert any(c.startswith(". local/emulator.env") for c in commands)
    assert any("git+" + REPOSITORY_URL in c for c in commands)
    assert any(c.startswith("meltano config set") for c in commands)
    assert any(c.startswith(".venv/bin/tap-zoom-logs") for c in commands)
    assert any(c.startswith("python3 -m venv .venv ") for c in commands)
    check_outcomes(readme_project, pipeline, credentials)


def emulator_stats(root: Path) -> dict[str, Any]:
    """What the emulator the pages started by hand served, from its stats endpoint."""
    config = json.loads((root / "local" / "emulator.json").read_text())
    stats_url = config["api_url"].removesuffix("/v2") + "/_emulator/stats"
    stats: dict[str, Any] = requests.get(stats_url, timeout=10).json()
    return stats


def check_outcomes(root: Path, pipeline: Pipeline, credentials: dict[str, Any]) -> None:
    """What the commands were for happened: the secret is in .env, the state file holds a
    bookmark per stream, each account has its own schema, the stream map hashed emails."""
    assert f"TAP_ZOOM_LOGS_CLIENT_SECRET='{credentials['client_secret']}'" in (
        (root / ".env").read_text()
    )
    # the plain Singer path: the second run continued from the first run's state
    state = json.loads((root / "local" / "state.json").read_text())
    assert set(state["bookmarks"]) == {"activity_logs", "operation_logs"}
    # the emulator's page's own emulator, started by hand, served a run
    state = json.loads((root / "local" / "emulator-state.json").read_text())
    assert set(state["bookmarks"]) == {"activity_logs", "operation_logs"}
    # what the commands wrote is under local/, and nothing of it beside the project's files
    assert list((root / "local" / "output").glob("activity_logs-*.jsonl"))
    assert (root / "local" / "zoom.duckdb").exists()
    strays = {"config.json", "state.json", "catalog.json", "emulator.json", "output"}
    assert not strays & {p.name for p in root.iterdir()}, sorted(p.name for p in root.iterdir())
    assert pipeline.pg is not None
    with pipeline.pg.connect() as conn:
        for schema in ("zoom_logs_emea", "zoom_logs_americas"):
            count = conn.execute(f'SELECT count(*) FROM "{schema}"."activity_logs"').fetchone()
            assert count[0] > 0, schema
        # the accounts' runs came after the privacy recipe's export
        emails = conn.execute(
            'SELECT email FROM "zoom_logs_emea"."activity_logs" WHERE email IS NOT NULL'
        ).fetchall()
    assert emails and all(re.fullmatch(r"[0-9a-f]{32}", e) for (e,) in emails), emails[:3]
