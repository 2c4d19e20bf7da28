"""Out-of-core training: the chunked reader keeps read_corpus's checks, and a model trained from
chunks loads with Predictor and beats the majority baseline."""
from __future__ import annotations

import json

import pytest

from model.predict import Document, Predictor
from streaming_helpers import make_records, write_jsonl
from training.corpus import CorpusError
from training.stream import SeenIds, StreamStats, iter_chunks

CONTRACT_KEYS = {"id", "disposition", "disposition_probabilities", "disposition_evidence", "reasons",
                 "motion_type", "motion_type_probability", "needs_review", "model_version"}


def test_chunks_hold_at_most_chunk_size_records_across_partitions(tmp_path):
    rows = make_records(7)
    write_jsonl(tmp_path / "a.jsonl", rows[:4])
    write_jsonl(tmp_path / "b.jsonl", rows[4:])
    chunks = list(iter_chunks(str(tmp_path / "*.jsonl"), chunk_size=3))
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert [r.id for c in chunks for r in c] == [r["id"] for r in rows]


def test_reader_is_lazy_and_reports_bad_lines_with_their_number(tmp_path):
    path = tmp_path / "c.jsonl"
    rows = [json.dumps(r) for r in make_records(4)]
    path.write_text("\n".join(rows[:2] + ["{not json"] + rows[2:]) + "\n")
    chunks = iter_chunks(path, chunk_size=2)
    assert len(next(chunks)) == 2  # the bad line is not read yet
    with pytest.raises(CorpusError, match=r"c\.jsonl:3: malformed JSON"):
        next(chunks)
    stats = StreamStats()
    records = [r for c in iter_chunks(path, chunk_size=2, skip_invalid=True, stats=stats) for r in c]
    assert len(records) == 4 and stats.skipped == 1 and stats.skipped_errors[0].line == 3


def test_labels_are_checked_against_the_schema(tmp_path):
    from model.schema import load_schema

    rows = make_records(3)
    rows[1]["disposition"] = "sort_of_granted"
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    with pytest.raises(CorpusError, match=r"d\.jsonl:2: unknown disposition label 'sort_of_granted'"):
        list(iter_chunks(path, 10, load_schema(), require_labels=True))


def test_duplicate_ids_are_caught_across_partitions(tmp_path):
    rows = make_records(3)
    write_jsonl(tmp_path / "a.jsonl", rows)
    write_jsonl(tmp_path / "b.jsonl", [make_records(1, seed=5)[0] | {"id": rows[1]["id"]}])
    with pytest.raises(CorpusError, match=r"b\.jsonl:1: duplicate id .* \(first at .*a\.jsonl:2\)"):
        list(iter_chunks(str(tmp_path / "*.jsonl"), 2))


def test_a_pattern_matching_nothing_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="matches no file"):
        list(iter_chunks(str(tmp_path / "*.jsonl"), 2))


def test_seen_ids_find_duplicates_after_flushing_and_merging_runs():
    seen = SeenIds(flush_every=3, max_runs=2)
    for i in range(50):
        assert seen.first_seen(f"id-{i}", 0, i + 1) is None
    assert seen.first_seen("id-1", 1, 7) == (0, 2)
    assert seen.first_seen("id-49", 1, 8) == (0, 50)
    assert seen.first_seen("new", 1, 9) is None


def test_streaming_model_from_the_cli_loads_with_predictor(tmp_path):
    from motion_outcome.cli import main

    corpus = write_jsonl(tmp_path / "corpus.jsonl", make_records(120))
    out = tmp_path / "model"
    assert main(["train", "--streaming", "--corpus", str(corpus), "--out", str(out),
                 "--chunk-size", "40", "--epochs", "2"]) == 0
    predictor = Predictor.from_directory(out)
    assert predictor.metadata["created_by"] == "motion-outcome train --streaming"
    assert predictor.metadata["streaming"]["chunk_size"] == 40
    text = ("Before the Court is a motion for compassionate release under 18 U.S.C. 3582(c)(1)(A). "
            "He points to the COVID-19 pandemic and the outbreak at his prison. "
            "For the reasons below, the defendant's motion is DENIED.")
    [row] = predictor.predict([Document("x", text)])
    assert CONTRACT_KEYS <= set(row)
    assert row["disposition"] == "denied"
    assert "covid_19" in {r["label"] for r in row["reasons"]}
    assert row["disposition_evidence"][0]["text"].endswith("motion is DENIED.")


def test_streaming_model_on_the_corpus_beats_the_majority_baseline(corpus_path, tmp_path):
    from training.streaming_train import train_streaming

    written = train_streaming(corpus_path, tmp_path / "model", chunk_size=250, epochs=2,
                              progress=lambda message: None)
    metrics = written["metrics"]
    assert metrics["split"] == "dev" and metrics["n"] > 0
    model, majority = metrics["model"], metrics["majority"]
    assert model["disposition"]["macro_f1_known"] > majority["disposition"]["macro_f1_known"] + 0.2
    assert model["reasons"]["micro_f1"] > majority["reasons"]["micro_f1"] + 0.2
    assert model["motion_type"]["accuracy"] >= majority["motion_type"]["accuracy"]
    predictor = Predictor.from_directory(tmp_path / "model")
    assert 0 < predictor.metadata["streaming"]["threshold_records"] <= 2000
    assert predictor.model.review_threshold_ == pytest.approx(predictor.metadata["review_threshold"], abs=1e-4)
