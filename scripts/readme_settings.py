"""Keep README.md's settings table equal to `tap-zoom-logs --about --format=markdown`.

python scripts/readme_settings.py           # rewrite the table in README.md
python scripts/readme_settings.py --check   # exit 1 if README.md is out of date
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def settings_table() -> str:
    """The settings table of the tap's own --about text (the code is the source)."""
    tap = Path(sys.executable).with_name("tap-zoom-logs")
    about = subprocess.run(
        [str(tap), "--about", "--format=markdown"], capture_output=True, text=True, check=True
    ).stdout
    section = about.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.strip().splitlines() if line.startswith("|"))


def with_table(readme: str, table: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    return pattern.sub(f"{START}\n{table}\n{END}", readme)


def main() -> int:
    readme = README.read_text()
    updated = with_table(readme, settings_table())
    if "--check" in sys.argv:
        if updated != readme:
            print("README.md's settings table is out of date: python scripts/readme_settings.py")
            return 1
        return 0
    README.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
