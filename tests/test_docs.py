"""The documentation holds together: the README's settings table and meltano.yml's settings
are the tap's own --about output, docs/development.md names every module, every link of
the README and of docs/ leads to a file and a heading that exist, and CI runs the README's
test command."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tap_zoom_logs.tap import SETTING_DESCRIPTIONS
from tests.support.tap import about, assert_script_check_passes, leaf_settings, one_line

REPO = Path(__file__).resolve().parents[1]


def test_readme_settings_table_matches_the_code():
    assert_script_check_passes("readme_settings.py")


def test_meltano_yml_describes_each_setting_as_the_tap_does():
    """Every setting --about lists, the tap's own and the SDK's built-in ones (stream maps,
    flattening, batch_config's leaves), is in meltano.yml with the same description, and
    nothing else is."""
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    (extractor,) = (p for p in project["plugins"]["extractors"] if p["name"] == "tap-zoom-logs")
    declared = {s["name"]: one_line(s["description"]) for s in extractor["settings"]}
    reported = {
        name: one_line(spec["description"])
        for name, spec in leaf_settings(about()["settings"]["properties"]).items()
    }

    assert declared == reported
    assert set(SETTING_DESCRIPTIONS) < set(declared), "the built-in settings are there too"
    assert {"stream_maps", "stream_map_config", "flattening_enabled"} <= set(declared)


def test_development_page_says_where_every_module_is():
    """docs/development.md's "Where things are" table names every module of the package,
    and nothing that is not there."""
    page = (REPO / "docs" / "development.md").read_text(encoding="utf-8")
    table = page.split("## Where things are", 1)[1].split("\n\n", 2)[1]
    rows = [row.split(" | ")[0] for row in table.splitlines()]
    tap_rows = " ".join(row for row in rows if row.startswith("| `tap_zoom_logs/"))
    named = set(re.findall(r"`(?:tap_zoom_logs/)?([a-z_]+\.py)`", tap_rows))
    named |= set(re.findall(r"`([a-z_]+/)`", " ".join(rows)))
    package = REPO / "tap_zoom_logs"
    modules = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    modules |= {f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").exists()}
    assert {name for name in named if not name.endswith("/")} == modules
    assert "zoom_emulator/" in named


def test_ci_runs_the_test_command_the_readme_gives():
    """`.ci/run` installs what a fresh machine lacks, then runs the README's test command
    as written, as its last command, and nothing else that runs tests."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run the tests", 1)[1]
    command = section.split("```bash\n", 1)[1].split("\n```", 1)[0].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]

    assert command == "scripts/test.sh"
    assert commands[-1] == f"exec {command}"
    assert not any("pytest" in line for line in commands), "tests run only through the command"


def test_git_never_picks_up_the_secrets_meltano_stores():
    """`meltano config set tap-zoom-logs client_secret --from-file -` writes the secret to
    .env in the project folder (the README says so): git must ignore it there."""
    for path in (".env", "tests/.env"):
        ignored = subprocess.run(
            ["git", "check-ignore", "--no-index", "--quiet", path],
            cwd=REPO,
            check=False,
        )
        assert ignored.returncode == 0, f"{path} is not ignored by git"


DOCS = sorted((REPO / "docs").glob("*.md"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation gone, spaces to -."""
    text = heading.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {anchor(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def local_links(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    return [link for link in LINK.findall(text) if not link.startswith(("http://", "https://"))]


def test_anchor_follows_githubs_rule():
    assert anchor("Privacy: hash emails, drop IP addresses (stream maps)") == (
        "privacy-hash-emails-drop-ip-addresses-stream-maps"
    )
    assert anchor("The margin: `late_margin_minutes`") == "the-margin-late_margin_minutes"


def test_every_link_of_the_documentation_leads_somewhere():
    """Each relative link of README.md and docs/*.md names a file of the repository and,
    after `#`, a heading of that file: moving text between pages cannot leave a link
    dangling."""
    pages = [REPO / "README.md", *DOCS]
    broken = []
    for page in pages:
        for link in local_links(page):
            path, _, fragment = link.partition("#")
            target = (page.parent / path).resolve() if path else page
            if not target.exists():
                broken.append(f"{page.name}: {link} (no such file)")
            elif fragment and fragment not in anchors(target):
                broken.append(f"{page.name}: {link} (no such heading)")
    assert len(pages) > 5
    assert not broken, broken


def test_the_readme_leads_to_every_page_of_docs_and_to_licence_changes_and_contributing():
    linked = {link.partition("#")[0] for link in local_links(REPO / "README.md")}
    assert {f"docs/{page.name}" for page in DOCS} <= linked
    assert {"LICENSE", "CHANGELOG.md", "docs/development.md"} <= linked
    assert len(DOCS) >= 8, "the pages README.md was split into"
