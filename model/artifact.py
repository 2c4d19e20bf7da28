"""Save and load a trained model: a skops file plus ``metadata.json`` and ``MODEL_CARD.md``.

skops, not pickle: a model directory may come from a download, and loading must not run
arbitrary code. Only the types listed in ``TRUSTED_PREFIXES`` are accepted.
A directory is written beside its destination and renamed into place, so a crash never leaves a
half-written model where a server would load it.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

# The committed default model: what `serve`, `predict` and `evaluate` use when given no --model.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default"
MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
CARD_FILE = "MODEL_CARD.md"
FORMAT_VERSION = 1
PACKAGE = "motion-outcome"

# Module prefixes whose types a model file may contain.
TRUSTED_PREFIXES = ("sklearn.", "model.")


class ArtifactError(RuntimeError):
    """A model directory that cannot be used; the message says what to do."""


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version
    versions = {"python": platform.python_version()}
    for name in ("scikit-learn", "numpy", "scipy", "skops", PACKAGE):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def content_hash(path: Path) -> str:
    """Hash of what the skops file holds, not of its bytes: zip timestamps and the member names
    (skops names arrays after object ids) change from one save to the next, the content does not.
    Each array member is named by its own hash in the schema before the schema is hashed."""
    with zipfile.ZipFile(path) as archive:
        schema = archive.read("schema.json").decode() if "schema.json" in archive.namelist() else ""
        renamed = {name: _member_hash(archive, name) for name in archive.namelist() if name != "schema.json"}
    for name in sorted(renamed, key=len, reverse=True):
        schema = schema.replace(f'"{name}"', f'"{renamed[name]}"')
    schema = _canonical_ids(schema)
    digest = hashlib.sha256(schema.encode())
    for member_hash in sorted(renamed.values()):
        digest.update(member_hash.encode())
    return digest.hexdigest()


def _member_hash(archive: zipfile.ZipFile, name: str, block: int = 1 << 20) -> str:
    """sha256 of one member, read a block at a time: a large model is never held twice."""
    digest = hashlib.sha256()
    with archive.open(name) as member:
        while chunk := member.read(block):
            digest.update(chunk)
    return digest.hexdigest()


_OBJECT_ID = re.compile(r'"__id__": (\d+)')


def _canonical_ids(schema: str) -> str:
    """skops marks shared objects with their id(); number them in order of appearance instead."""
    order: dict[str, int] = {}
    return _OBJECT_ID.sub(lambda m: f'"__id__": {order.setdefault(m.group(1), len(order))}', schema)


def save_model(model: Any, directory: str | Path, metadata: dict[str, Any], card: str) -> dict[str, Any]:
    """Write model, metadata and card atomically; returns the metadata as written."""
    import skops.io as sio

    directory = Path(directory).resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    staging.chmod(0o755)
    try:
        sio.dump(model, staging / MODEL_FILE, compression=zipfile.ZIP_DEFLATED)
        digest = content_hash(staging / MODEL_FILE)
        metadata = {"format_version": FORMAT_VERSION, "model_version": digest[:16],
                    "model_sha256": digest, "libraries": library_versions(), **metadata}
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=False) + "\n")
        (staging / CARD_FILE).write_text(card.replace("{model_version}", metadata["model_version"]))
        _swap_into_place(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return metadata


def _swap_into_place(staging: Path, directory: Path) -> None:
    old = None
    if directory.exists():
        old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
        os.replace(directory, old)
    os.replace(staging, directory)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_metadata(directory: str | Path) -> dict[str, Any]:
    directory = Path(directory)
    path = directory / METADATA_FILE
    if not directory.is_dir():
        raise ArtifactError(f"model directory not found: {directory}")
    try:
        metadata = json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtifactError(f"{directory} is not a model directory: {METADATA_FILE} is missing") from None
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path} is not valid JSON: {exc}") from None
    return metadata


def check_compatible(metadata: dict[str, Any], where: str) -> None:
    found = metadata.get("format_version")
    if found != FORMAT_VERSION:
        raise ArtifactError(
            f"{where}: model format {found} was written by another version of {PACKAGE} "
            f"(this one reads format {FORMAT_VERSION}); retrain it with 'motion-outcome train'")
    made = metadata.get("libraries", {}).get("scikit-learn", "")
    here = library_versions()["scikit-learn"]
    if made.split(".")[:2] != here.split(".")[:2]:
        raise ArtifactError(
            f"{where}: model was trained with scikit-learn {made}, this environment has {here}; "
            f"install scikit-learn=={made} or retrain the model")


def load_model(directory: str | Path) -> tuple[Any, dict[str, Any]]:
    """Load a model and its metadata, refusing incompatible or tampered files."""
    import skops.io as sio

    directory = Path(directory)
    metadata = read_metadata(directory)
    check_compatible(metadata, str(directory))
    path = directory / MODEL_FILE
    if not path.is_file():
        raise ArtifactError(f"{directory}: {MODEL_FILE} is missing")
    try:
        if content_hash(path) != metadata.get("model_sha256"):
            raise ArtifactError(f"{path}: content does not match metadata.json (modified or corrupt file)")
        untrusted = [t for t in sio.get_untrusted_types(file=path)
                     if not t.startswith(TRUSTED_PREFIXES)]
    except zipfile.BadZipFile:
        raise ArtifactError(f"{path}: not a skops model file (corrupt or wrong format)") from None
    if untrusted:
        raise ArtifactError(f"{path}: refusing to load untrusted types {untrusted}")
    trusted = sio.get_untrusted_types(file=path)
    return sio.load(path, trusted=trusted), metadata
