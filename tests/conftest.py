"""Shared fixtures. The labeled corpus is read at run time from ../shared/corpus (or
$MOTION_OUTCOME_CORPUS); tests that need it skip, saying so, where it is absent."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "decisions.jsonl"
DEFAULT_MODEL = REPO / "model" / "default"


def corpus_file() -> Path:
    return Path(os.environ.get("MOTION_OUTCOME_CORPUS", DEFAULT_CORPUS))


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    path = corpus_file()
    if not path.is_file():
        pytest.skip(f"labeled corpus not found at {path}: set MOTION_OUTCOME_CORPUS or put ../shared/corpus beside the repo")
    return path


@pytest.fixture(scope="session")
def seed_order_path(corpus_path) -> Path:
    path = corpus_path.parent / "examples" / "seed_order.txt"
    if not path.is_file():
        pytest.skip(f"seed order not found at {path}")
    return path


@pytest.fixture(scope="session")
def trained_model_dir(corpus_path, tmp_path_factory) -> Path:
    """A model trained on the corpus's train split in this test session (about 30 s)."""
    from training.train import train

    out = tmp_path_factory.mktemp("model") / "trained"
    train(corpus_path, out, progress=lambda message: None)
    return out


@pytest.fixture(scope="session")
def default_model_dir() -> Path:
    if not (DEFAULT_MODEL / "metadata.json").is_file():
        pytest.skip(f"no committed default model at {DEFAULT_MODEL}: run 'make model'")
    return DEFAULT_MODEL
