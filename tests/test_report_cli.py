"""``motion-outcome report`` on a tiny corpus and predictions written for this test (no model)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from motion_outcome.cli import main

RECORDS = [
    {"id": "r1", "text": "UNITED STATES DISTRICT COURT\nDISTRICT OF KANSAS\nSigned May 1, 2020\nThe motion is granted.",
     "disposition": "granted", "reasons": ["covid_19"], "motion_type": "compassionate_release", "split": "train"},
    {"id": "r2", "text": "UNITED STATES DISTRICT COURT\nDISTRICT OF KANSAS\nSigned June 1, 2022\nThe motion is denied.",
     "disposition": "denied", "reasons": ["covid_19", "vaccination"], "motion_type": "compassionate_release", "split": "dev"},
    {"id": "r3", "text": "UNITED STATES DISTRICT COURT\nSOUTHERN DISTRICT OF NEW YORK\nSigned July 1, 2022\nThe order follows.",
     "disposition": "unknown", "reasons": [], "motion_type": "compassionate_release", "split": "dev"},
]
PREDICTIONS = [
    {"id": "r2", "disposition": "denied", "needs_review": False, "reasons": [], "motion_type": "compassionate_release"},
    {"id": "r3", "disposition": "granted_in_part", "needs_review": False,
     "reasons": [{"label": "age", "probability": 0.8, "evidence": []}], "motion_type": "compassionate_release"},
]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "decisions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    return path


def test_report_from_labels_only(corpus, tmp_path):
    out = tmp_path / "report"
    assert main(["report", "--corpus", str(corpus), "--out", str(out)]) == 0
    overall = pd.read_csv(out / "grant_rate_overall.csv").iloc[0]
    assert (overall["records"], overall["decided"], overall["granted"]) == (3, 2, 1)
    by_court = pd.read_csv(out / "grant_rate_by_court.csv").set_index("court")
    assert by_court.loc["D. Kan.", "decided"] == 2 and by_court.loc["S.D.N.Y.", "decided"] == 0
    by_year = pd.read_csv(out / "grant_rate_by_period.csv", dtype={"period": str}).set_index("period")
    assert by_year.loc["2020", "rate"] == 1.0 and by_year.loc["2022", "rate"] == 0.0
    for name in ("grant_rate_by_period.png", "grant_rate_by_circuit.png", "reason_frequencies.png",
                 "before_after.csv", "reason_cooccurrence.csv", "decisions.csv"):
        assert (out / name).stat().st_size > 0
    assert not (out / "agreement_confusion.csv").exists()        # no model: nothing to agree with
    decisions = pd.read_csv(out / "decisions.csv")
    assert "text" not in decisions.columns


def test_report_with_predictions_fills_unknown_and_measures_agreement(corpus, tmp_path):
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps(r) + "\n" for r in PREDICTIONS))
    out = tmp_path / "report"
    code = main(["report", "--corpus", str(corpus), "--predictions", str(predictions), "--out", str(out),
                 "--event", "change=2021-01-01"])
    assert code == 0
    overall = pd.read_csv(out / "grant_rate_overall.csv").iloc[0]
    assert (overall["decided"], overall["granted"]) == (3, 2)     # r3 filled in by the model
    change = pd.read_csv(out / "before_after.csv").iloc[0]
    assert change["event"] == "change" and change["before_decided"] == 1 and change["after_decided"] == 2
    summary = json.loads((out / "summary.json").read_text())
    assert summary["filled_by_model"] == 1
    assert summary["agreement"]["n"] == 2 and summary["agreement"]["accuracy"] == 0.5
    assert (out / "agreement_confusion.png").stat().st_size > 0


def test_report_errors(corpus, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--corpus", str(corpus), "--out", str(tmp_path), "--event", "bad"])
    assert exit_info.value.code == 2
    assert main(["report", "--corpus", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert "error:" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "r1"}\n')
    assert main(["report", "--corpus", str(corpus), "--predictions", str(bad), "--out", str(tmp_path / "o")]) == 2
