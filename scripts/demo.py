"""Demo: a real Meltano pipeline, tap-zoom-logs into target-jsonl, against the Zoom emulator.

    python3 scripts/demo.py

No Zoom account and no network but the package registries (for the first install). It
creates `.venv` (the tap) and `.venv-meltano` (Meltano) if missing, installs the two
plugins, serves the emulator on loopback, runs `meltano run tap-zoom-logs target-jsonl`
with the emulator's credentials in TAP_ZOOM_LOGS_* variables, and prints what landed.
The demo keeps its own Meltano system database and output folder (`output/demo/`), so
its bookmarks never mix with a real pipeline's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TAP_VENV = REPO / ".venv"
MELTANO_VENV = REPO / ".venv-meltano"
OUTPUT = REPO / "output" / "demo"


def ensure_venv(path: Path, *requirements: str) -> Path:
    python = path / "bin" / "python"
    if not python.exists():
        print(f"demo: creating {path.name} (first run only)", flush=True)
        venv.create(path, with_pip=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, *requirements], check=True, cwd=REPO)
    return python


def main() -> None:
    tap_python = ensure_venv(TAP_VENV, "-e", ".[test]")
    if Path(sys.prefix).resolve() != TAP_VENV.resolve():
        # The emulator lives in the tap's package: continue inside the tap's virtualenv.
        os.execv(str(tap_python), [str(tap_python), __file__, *sys.argv[1:]])
    meltano = ensure_venv(MELTANO_VENV, "-r", "requirements-meltano.txt").with_name("meltano")

    from tap_zoom_logs.sandbox import ZoomEmulator  # noqa: PLC0415 - needs the tap's venv

    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT.glob("*.jsonl"):
        old.unlink()
    env = {
        **os.environ,
        "MELTANO_DATABASE_URI": f"sqlite:///{OUTPUT / 'meltano-demo.db'}",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "TARGET_JSONL_DESTINATION_PATH": str(OUTPUT),
        "TARGET_JSONL_DO_TIMESTAMP_FILE": "false",
    }
    install = [str(meltano), "install"]
    for plugin in (["extractor", "tap-zoom-logs"], ["loader", "target-jsonl"]):
        subprocess.run([*install, *plugin], check=True, cwd=REPO, env=env)

    with ZoomEmulator(seed=2026, history_days=14, entries_per_day=50) as zoom:
        config = zoom.tap_config(max_requests_per_second=50)
        env.update({f"TAP_ZOOM_LOGS_{key.upper()}": str(value) for key, value in config.items()})
        print("demo: meltano run tap-zoom-logs target-jsonl (against the emulator)", flush=True)
        subprocess.run(
            [str(meltano), "run", "--full-refresh", "tap-zoom-logs", "target-jsonl"],
            check=True,
            cwd=REPO,
            env=env,
        )
        show_output(zoom, config)


def show_output(zoom: object, config: dict) -> None:
    print("\nWhat landed in output/demo/:")
    for path in sorted(OUTPUT.glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text().splitlines()]
        stream = path.stem
        expected = len(zoom.truth(stream, config["start_date"], config["end_date"]))  # type: ignore[attr-defined]
        ids = Counter(record["lw_id"] for record in records)
        print(f"  {stream}: {len(records)} entries, {len(ids)} distinct lw_id", end="")
        print(f" (the emulator has {expected})")
        for record in records[-3:]:
            print("    " + json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
