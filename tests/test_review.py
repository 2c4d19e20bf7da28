"""The review queue's order, the review file round trip, label validation with row numbers, and
the merge with its change log. Predictions here are written by hand (the contract's shape)."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from model.schema import load_schema
from motion_outcome.cli import main
from training.corpus import Record, read_corpus
from training.review.export import review_row, write_review
from training.review.merge import merge_review, parse_labels, read_review
from training.review.queue import QueueItem, ReviewQueue, disposition_uncertainty, reason_uncertainty

SCHEMA = load_schema()


def prediction(record_id, top, p, needs_review=False, reasons=()):
    others = [d for d in SCHEMA.dispositions if d != top]
    rest = (1 - p) / len(others)
    return {"id": record_id, "disposition": top,
            "disposition_probabilities": {top: p, **{d: rest for d in others}},
            "disposition_evidence": [{"text": f"The motion of {record_id} is decided.", "start": 0, "end": 10}],
            "reasons": [{"label": r, "probability": 0.9, "evidence": [{"text": f"{r} sentence", "start": 0, "end": 5}]}
                        for r in reasons],
            "motion_type": "compassionate_release", "motion_type_probability": 0.97,
            "needs_review": needs_review, "model_version": "test"}


def test_uncertainty_scales():
    assert disposition_uncertainty(prediction("a", "denied", 1.0)) == 0.0
    assert disposition_uncertainty(prediction("a", "denied", 0.2)) == pytest.approx(1.0)
    thresholds = np.array([0.5, 0.3])
    assert reason_uncertainty(np.array([0.5, 0.0]), thresholds) == pytest.approx(1.0)
    assert reason_uncertainty(np.array([1.0, 0.0]), thresholds) == pytest.approx(0.0)


def test_queue_puts_needs_review_first_then_uncertain_then_a_seeded_audit_sample():
    predictions = [prediction(f"d{i}", "denied", p) for i, p in enumerate([0.99, 0.6, 0.97, 0.7, 0.98, 0.95, 0.96, 0.99])]
    predictions[2]["needs_review"] = True
    queue = ReviewQueue(audit_fraction=0.25, seed=3)
    items = queue.rank(predictions, limit=4)
    assert [i.queue for i in items] == ["needs_review", "uncertain", "uncertain", "audit"]
    assert [i.index for i in items[:3]] == [2, 1, 3]
    assert items[3].index not in (1, 2, 3) and not items[3].needs_review
    assert [i.index for i in ReviewQueue(audit_fraction=0.25, seed=3).rank(predictions, limit=4)] == [i.index for i in items]
    audits = {ReviewQueue(audit_fraction=0.25, seed=s).rank(predictions, limit=4)[3].index for s in range(20)}
    assert len(audits) > 1  # the audit pick is random, not the least uncertain


def test_borderline_reasons_raise_priority():
    predictions = [prediction("a", "denied", 0.9), prediction("b", "denied", 0.9)]
    proba = np.array([[0.05, 0.95], [0.49, 0.95]])
    items = ReviewQueue(audit_fraction=0).rank(predictions, proba, [0.5, 0.5])
    assert [i.index for i in items] == [1, 0]


def records():
    return [Record("a", "Text of a. The motion is denied.", {"disposition": "denied", "reasons": ["covid_19"],
                                                              "motion_type": "compassionate_release"}),
            Record("b", "Text of b. The motion is granted.", {}),
            Record("c", "Text of c.", {"split": "dev"})]


def exported(tmp_path, name="review.csv"):
    recs = records()
    rows = [review_row(rank, QueueItem(i, "uncertain", 0.5, 0.5, 0.0, False), rec,
                       prediction(rec.id, "denied", 0.6, reasons=("covid_19",)))
            for rank, (i, rec) in enumerate(enumerate(recs), start=1)]
    path = tmp_path / name
    write_review(rows, path)
    return path, recs


def test_csv_review_file_has_evidence_and_empty_label_columns(tmp_path):
    path, _ = exported(tmp_path)
    rows = list(csv.DictReader(path.open()))
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["disposition_evidence"] == "The motion of a is decided."
    assert rows[0]["reason_evidence"] == "covid_19: covid_19 sentence"
    assert rows[0]["predicted_reasons"] == "covid_19 (0.90)" and rows[0]["current_disposition"] == "denied"
    assert all(r[c] == "" for r in rows for c in ("disposition", "reasons", "motion_type", "reviewer"))


def fill(path, edits):
    rows = list(csv.DictReader(path.open()))
    for row in rows:
        row.update(edits.get(row["id"], {}))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_labels_are_parsed_leniently_but_validated_strictly():
    labels, problems = parse_labels({"disposition": " Granted in part ", "reasons": "covid_19 (0.91); Medical Condition",
                                     "motion_type": ""}, SCHEMA)
    assert labels == {"disposition": "granted_in_part", "reasons": ["covid_19", "medical_condition"]} and not problems
    assert parse_labels({"reasons": "none"}, SCHEMA)[0] == {"reasons": []}
    _, problems = parse_labels({"disposition": "grnted", "reasons": "covid_19; sunshine"}, SCHEMA)
    assert any("unknown disposition 'grnted'" in p for p in problems)
    assert any("'sunshine'" in p for p in problems)


def test_every_invalid_row_is_reported_with_its_row_number(tmp_path):
    path, recs = exported(tmp_path)
    fill(path, {"a": {"disposition": "grnted"}, "c": {"reasons": "covid_19; sunshine", "motion_type": "bail"}})
    rows, errors, count = read_review(path, SCHEMA, {r.id: r for r in recs})
    assert count == 3 and [r.id for r in rows] == ["b"]
    assert any(e.startswith("review.csv row 2 (id a): unknown disposition 'grnted'") for e in errors)
    assert sum("row 4 (id c)" in e for e in errors) == 2


def test_unknown_ids_changed_texts_and_conflicts_are_errors(tmp_path):
    path = tmp_path / "r.jsonl"
    recs = records()
    lines = [{"id": "zzz", "disposition": "denied"},
             {"id": "a", "disposition": "denied", "text_sha256": "0" * 64},
             {"id": "b", "disposition": "denied"}, {"id": "b", "disposition": "granted"}]
    path.write_text("\n".join(json.dumps(l) for l in lines) + "\nnot json\n")
    _, errors, _ = read_review(path, SCHEMA, {r.id: r for r in recs})
    text = "\n".join(errors)
    assert "line 1 (id zzz): no record with this id" in text
    assert "line 2 (id a): the record's text changed" in text
    assert "line 4 (id b): conflicts with line 3" in text
    assert "line 5: malformed JSON" in text


def test_evidence_must_be_a_verbatim_quote(tmp_path):
    path, recs = exported(tmp_path)
    fill(path, {"a": {"disposition": "denied", "evidence": "The motion is denied."},
                "b": {"disposition": "granted", "evidence": "The motion is GRANTED in full."}})
    rows, errors, _ = read_review(path, SCHEMA, {r.id: r for r in recs})
    assert [r.labels for r in rows if r.id == "a"] == [{"disposition": "denied", "evidence": "The motion is denied."}]
    assert errors == ["review.csv row 3 (id b): evidence is not a verbatim quote of the document's text "
                      "(copy the sentence exactly)"]


def test_merge_lets_the_reviewer_win_and_logs_each_change(tmp_path):
    path, recs = exported(tmp_path)
    fill(path, {"a": {"disposition": "granted", "reasons": "covid_19", "reviewer": "ana"},
                "b": {"disposition": "denied", "reasons": "none", "motion_type": "compassionate_release"}})
    rows, errors, _ = read_review(path, SCHEMA, {r.id: r for r in recs})
    assert not errors
    report = merge_review(recs, rows, reviewer="default", source="review.csv", now="2024-01-01T00:00:00Z")
    a, b, c = recs
    assert a.fields["disposition"] == "granted" and a.fields["review"]["by"] == "ana"
    assert b.fields["reasons"] == [] and b.fields["review"]["by"] == "default"
    assert "review" not in c.fields and report.unreviewed == 1 and report.reviewed == 2
    assert report.confirmed_fields == 1  # a's reasons were already covid_19
    changes = {(ch["id"], ch["field"]): ch for ch in report.changes}
    assert changes[("a", "disposition")] == {"id": "a", "field": "disposition", "old": "denied", "new": "granted",
                                             "reviewer": "ana", "time": "2024-01-01T00:00:00Z",
                                             "source": "review.csv", "where": "row 2"}
    assert changes[("b", "motion_type")]["old"] is None and len(report.changes) == 4


def write_jsonl(path, recs):
    path.write_text("".join(json.dumps({"id": r.id, "text": r.text, **r.fields}) + "\n" for r in recs))


def test_import_command_refuses_a_file_with_errors_and_writes_nothing(tmp_path, capsys):
    path, recs = exported(tmp_path)
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, recs)
    before = corpus.read_bytes()
    fill(path, {"a": {"disposition": "granted"}, "b": {"disposition": "maybe"}})
    assert main(["review", "import", "--review", str(path), "--corpus", str(corpus)]) == 2
    err = capsys.readouterr().err
    assert "1 problem(s) in 3 rows; nothing was imported" in err
    assert "review.csv row 3 (id b): unknown disposition 'maybe'" in err
    assert corpus.read_bytes() == before and not (tmp_path / "corpus.jsonl.changes.jsonl").exists()
    assert main(["review", "import", "--review", str(path), "--corpus", str(corpus), "--skip-invalid",
                 "--reviewer", "bo"]) == 0
    merged = {r.id: r for r in read_corpus(corpus).records}
    assert merged["a"].label("disposition") == "granted" and merged["b"].label("disposition") is None
    (change,) = [json.loads(l) for l in (tmp_path / "corpus.jsonl.changes.jsonl").read_text().splitlines()]
    assert change["id"] == "a" and change["old"] == "denied" and change["new"] == "granted" and change["reviewer"] == "bo"


def test_import_command_keeps_every_other_field_and_appends_the_log(tmp_path):
    path, recs = exported(tmp_path)
    recs[0].fields["provenance"] = {"source": "folder", "path": "x.txt"}
    corpus, out = tmp_path / "corpus.jsonl", tmp_path / "merged.jsonl"
    write_jsonl(corpus, recs)
    fill(path, {"a": {"motion_type": "home_confinement"}})
    for _ in range(2):
        assert main(["review", "import", "--review", str(path), "--corpus", str(corpus), "--out", str(out)]) == 0
    merged = read_corpus(out).records
    assert [r.id for r in merged] == ["a", "b", "c"] and merged[0].fields["provenance"]["path"] == "x.txt"
    assert merged[2].fields["split"] == "dev" and merged[0].label("motion_type") == "home_confinement"
    assert len((tmp_path / "merged.jsonl.changes.jsonl").read_text().splitlines()) == 2  # appended, not replaced
