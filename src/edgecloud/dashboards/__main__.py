"""`python -m edgecloud.dashboards [--check] [--directory DIR]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ._output import DEFAULT_DIRECTORY, stale_files, write


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m edgecloud.dashboards",
        description="Write the Grafana dashboards the code defines, or check the committed ones.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a committed file differs from the generated one",
    )
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
    args = parser.parse_args(argv)
    directory: Path = args.directory
    if args.check:
        stale = stale_files(directory)
        for path in stale:
            print(f"stale: {path} (run `python -m edgecloud.dashboards`)", file=sys.stderr)
        return 1 if stale else 0
    for path in write(directory):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
