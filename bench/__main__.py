"""``python -m bench`` runs every benchmark in turn (or those named: ``python -m bench stream``)."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    failed = 0
    for name in wanted:
        print(f"\n=== bench.{name} ===", flush=True)
        importlib.invalidate_caches()
        proc = subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False)
        failed += proc.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
