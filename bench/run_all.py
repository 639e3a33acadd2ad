"""`make bench`: run every benchmark script in turn and print its figures.

Each script is also runnable on its own; see bench/README.md for what each measures
and the figures last recorded.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "parse.py",
    "store_write.py",
    "score.py",
    "startup.py",
    "punctuality.py",
    "routines.py",
    "ratelimit.py",
    "load.py",
    "crash.py",
)


def main() -> int:
    failed = []
    for name in SCRIPTS:
        path = HERE / name
        if not path.exists():
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(path)], cwd=HERE, check=False)
        print(f"--- {name}: exit {result.returncode} in {time.monotonic() - started:.0f} s")
        if result.returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
