"""Write hub/extractors/tap-zoom-logs.yml, the tap's Meltano Hub definition, from its sources.

python scripts/hub_definition.py           # rewrite the file
python scripts/hub_definition.py --check   # exit 1 if the file is out of date

The extractor of meltano.yml gives the settings (names, labels, kinds, defaults, options,
sensitivity, descriptions), capabilities, selection and settings group; `tap-zoom-logs
--about` the description; pyproject.toml the Python versions; HUB_METADATA below what only
the Hub shows. Written in the Hub's own form (what its `hub-utils yamllint fix` writes):
keys in code-point order at every level, settings by name, capabilities sorted, no flow
mappings. tests/test_hub.py runs the Hub's checks on it.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import typing as t
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
HUB_FILE = REPO / "hub" / "extractors" / "tap-zoom-logs.yml"

# The one place that says what the definition leaves out until the project is published.
HEADER = """\
# The Meltano Hub definition of tap-zoom-logs, in the Hub's own form: in the Hub it is
# _data/meltano/extractors/tap-zoom-logs/tap-zoom-logs.yml, and hub/maintainers.yml is the
# entry the same pull request adds to the Hub's _data/maintainers.yml.
# Written by scripts/hub_definition.py from meltano.yml, --about and pyproject.toml: edit
# those, then run the script (tests/test_hub.py runs the Hub's own checks on the result).
#
# Not known until the project is published, so left out rather than invented:
# - repo: the address of its public repository (the Hub reads it only for a maintainer it
#   does not list yet; hub/maintainers.yml lists this one);
# - pip_url: `tap-zoom-logs` once on PyPI, or git+<repo>; until then `meltano add
#   --from-ref` with this file needs it added;
# - the maintainer's url in hub/maintainers.yml, and a variant named after the maintainer
#   (the Hub's custom): it is the project's name until there is one.
# Not declared, on purpose: the activate-version capability (the SDK sends ACTIVATE_VERSION
# for full-table streams only; every stream here is incremental) and quality, which is
# "unknown" until the Hub rates the tap.
"""

#: What only the Hub shows (everything else comes from the project's own files).
HUB_METADATA: dict[str, t.Any] = {
    "variant": "tap-zoom-logs",
    "label": "Zoom Security Logs",
    "keywords": ["meltano_sdk", "api", "zoom", "security", "audit log"],
    # The Zoom logo the Hub already serves for its tap-zoom variants.
    "logo_url": "/assets/logos/extractors/zoom.png",
    "domain_url": "https://zoom.us",
    "maintenance_status": "beta",
    "quality": "unknown",
}
#: meltano.yml's extractor fields the Hub definition carries as they are.
FROM_MELTANO_YML = ("name", "namespace", "executable", "select", "commands")
SETTING_FIELDS = ("name", "label", "kind", "value", "options", "sensitive", "description")


def extractor() -> dict[str, t.Any]:
    project = yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))
    (found,) = (p for p in project["plugins"]["extractors"] if p["name"] == "tap-zoom-logs")
    return t.cast("dict[str, t.Any]", found)


def about_description() -> str:
    tap = Path(sys.executable).with_name("tap-zoom-logs")
    about = subprocess.run(
        [str(tap), "--about", "--format=json"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(json.loads(about)["description"].split())


def python_versions() -> list[str]:
    """The Python versions pyproject.toml's classifiers name (as installed in .venv)."""
    classifiers = importlib.metadata.metadata("tap-zoom-logs").get_all("Classifier") or []
    found = (re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c) for c in classifiers)
    return [match[1] for match in found if match]


def setting(declared: dict[str, t.Any]) -> dict[str, t.Any]:
    """A setting as the Hub writes it: meltano.yml's fields, the description on one line."""
    found = {key: declared[key] for key in SETTING_FIELDS if key in declared}
    found["description"] = " ".join(found["description"].split())
    return found


def definition() -> dict[str, t.Any]:
    tap = extractor()
    found = {key: tap[key] for key in FROM_MELTANO_YML}
    found.update(HUB_METADATA)
    found["description"] = about_description()
    found["capabilities"] = sorted(tap["capabilities"])
    found["settings"] = sorted((setting(s) for s in tap["settings"]), key=lambda s: s["name"])
    found["settings_group_validation"] = [sorted(g) for g in tap["settings_group_validation"]]
    found["supported_python_versions"] = python_versions()
    return found


def rendered() -> str:
    body = yaml.safe_dump(
        definition(), sort_keys=True, allow_unicode=True, default_flow_style=False, width=88
    )
    return HEADER + body


def main() -> int:
    text = rendered()
    if "--check" in sys.argv:
        if HUB_FILE.read_text(encoding="utf-8") != text:
            print(f"{HUB_FILE.relative_to(REPO)} is out of date: python scripts/hub_definition.py")
            return 1
        return 0
    HUB_FILE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
