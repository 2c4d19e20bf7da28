"""notebooks/outcome_trends.ipynb runs headless on the shared corpus (a copy, in a temporary
folder) and its key outputs agree with the analysis module computed independently here."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from analysis import grant_rates  # noqa: E402
from analysis.load import load_table  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "outcome_trends.ipynb"
FIGURES = ("grant_rate_by_period.png", "grant_rate_by_circuit.png", "reason_frequencies.png", "agreement_confusion.png")


@pytest.fixture(scope="module")
def model_dir(default_model_dir) -> Path:
    """The committed default model, or $MOTION_OUTCOME_MODEL (to try the notebook with another)."""
    return Path(os.environ.get("MOTION_OUTCOME_MODEL", default_model_dir))


def test_committed_notebook_has_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(not c.get("outputs") and c.get("execution_count") is None for c in code)


def test_notebook_runs_and_agrees_with_the_module(corpus_path, model_dir, tmp_path, monkeypatch):
    work = tmp_path / "notebook"
    work.mkdir()
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    out = tmp_path / "out"
    monkeypatch.setenv("MOTION_OUTCOME_CORPUS", str(corpus_path))
    monkeypatch.setenv("MOTION_OUTCOME_MODEL", str(model_dir))
    monkeypatch.setenv("OUTCOME_TRENDS_OUT", str(out))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(work / NOTEBOOK.name, as_version=4)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(work)}}).execute()

    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    images = sum(1 for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert images >= len(FIGURES)
    for name in FIGURES:
        assert (out / name).stat().st_size > 5_000, name

    table, _ = load_table(corpus_path, model=model_dir)
    decided = int(table["decided"].sum())
    by_year = pd.read_csv(out / "grant_rate_by_period.csv", dtype={"period": "string"}, keep_default_na=False)
    assert by_year["decided"].sum() == decided
    expected = grant_rates(table, "period").fillna({"period": ""})
    assert list(by_year["period"]) == list(expected["period"])
    assert list(by_year["decided"]) == list(expected["decided"])
    assert list(by_year["granted"]) == list(expected["granted"])
    by_circuit = pd.read_csv(out / "grant_rate_by_circuit.csv")
    assert by_circuit["decided"].sum() == decided

    summary = json.loads((out / "summary.json").read_text())
    assert summary["records"] == len(table) and summary["decided"] == decided
    assert summary["granted"] == int(table["granted"].fillna(False).astype(bool).sum())
    assert 0 < summary["agreement_dev"]["n"] < summary["agreement_all"]["n"] == len(table)
