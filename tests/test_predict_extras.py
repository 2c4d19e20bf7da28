"""The optional ``citations`` and ``metadata`` fields of the prediction contract: absent by
default (the contract's keys stay as they were), present on request, from the API and the CLI."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from model.predict import Document, Predictor
from motion_outcome.cli import main

TEXT = ("Case No. 1:20-cr-00077-XYZ\nUNITED STATES DISTRICT COURT\nFOR THE DISTRICT OF OREGON\n"
        "UNITED STATES OF AMERICA, Plaintiff,\nv.\nDALE COOPER, Defendant.\nSigned February 24, 2021\n"
        "ORDER\nHARRY S. TRUMAN, UNITED STATES DISTRICT JUDGE\n"
        "Defendant moves for compassionate release under 18 U.S.C. § 3582(c)(1)(A) and U.S.S.G. § 1B1.13. "
        "See United States v. Aruda, 993 F.3d 797 (9th Cir. 2021). The motion is DENIED.")


@pytest.fixture(scope="module")
def model_path(default_model_dir) -> Path:
    """The committed default model, or $MOTION_OUTCOME_MODEL."""
    return Path(os.environ.get("MOTION_OUTCOME_MODEL", default_model_dir)).resolve()


@pytest.fixture(scope="module")
def predictor(model_path) -> Predictor:
    return Predictor.from_directory(model_path)


OTHER = "The motion for early termination of supervised release is GRANTED."
DOCUMENTS = [Document("a", TEXT), Document("b", OTHER)]


def test_default_output_has_no_extra_fields(predictor):
    for row in predictor.predict(DOCUMENTS):
        assert "citations" not in row and "metadata" not in row


def test_citations_and_metadata_on_request(predictor):
    plain = predictor.predict(DOCUMENTS)
    row, other = predictor.predict(DOCUMENTS, with_citations=True, with_metadata=True)
    assert {k: v for k, v in row.items() if k not in ("citations", "metadata")} == plain[0]
    assert other["citations"] == [] and set(other["metadata"].values()) == {None}
    assert row["metadata"] == {"court": "D. Or.", "circuit": "9th Cir.", "date": "2021-02-24",
                               "judge": "Harry S. Truman", "docket": "1:20-cr-00077-XYZ", "defendant": "Dale Cooper"}
    kinds = {c["kind"] for c in row["citations"]}
    assert {"statute", "guideline", "case"} <= kinds
    assert all(TEXT[c["start"]:c["end"]] == c["text"] for c in row["citations"])


def test_predict_command_flags(model_path, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in DOCUMENTS))
    model = str(model_path)
    plain, extra = tmp_path / "plain.jsonl", tmp_path / "extra.jsonl"
    assert main(["predict", "--model", model, "--input", str(source), "--output", str(plain)]) == 0
    assert main(["predict", "--model", model, "--input", str(source), "--output", str(extra),
                 "--citations", "--metadata"]) == 0
    plain_row = json.loads(plain.read_text().splitlines()[0])
    extra_row = json.loads(extra.read_text().splitlines()[0])
    assert "citations" not in plain_row and "metadata" not in plain_row
    assert extra_row["metadata"]["court"] == "D. Or." and extra_row["citations"]
