"""Out-of-core training: the chunked reader keeps read_corpus's checks, and a model trained from
chunks loads with Predictor and beats the majority baseline."""
from __future__ import annotations

import json

import numpy as np
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
    assert not any(seen.add(f"id-{i}") for i in range(50))
    assert seen.add("id-1") and seen.add("id-49")
    assert not seen.add("new")


def test_ids_that_only_share_a_hash_are_not_duplicates(tmp_path, monkeypatch):
    monkeypatch.setattr(SeenIds, "_hash", staticmethod(lambda record_id: 7))
    rows = make_records(3)
    path = write_jsonl(tmp_path / "e.jsonl", rows)
    assert [r.id for c in iter_chunks(path, 2) for r in c] == [r["id"] for r in rows]
    write_jsonl(path, rows + [rows[2]])
    with pytest.raises(CorpusError, match=r"e\.jsonl:4: duplicate id .* \(first at .*e\.jsonl:3\)"):
        list(iter_chunks(path, 2))


def test_skipped_duplicates_are_counted_with_their_line(tmp_path):
    rows = make_records(4)
    path = write_jsonl(tmp_path / "f.jsonl", rows + [rows[0], rows[3]])
    stats = StreamStats()
    records = [r for c in iter_chunks(path, 10, skip_invalid=True, stats=stats) for r in c]
    assert [r.id for r in records] == [r["id"] for r in rows]
    assert stats.skipped == 2 and [e.line for e in stats.skipped_errors] == [5, 6]
    assert "duplicate id" in str(stats.skipped_errors[0])


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


# -- the faster training path learns the same model ---------------------------------------------
SCREENING_TEXTS = [
    "For the reasons below, the motion is DENIED in part and GRANTED in part.",
    "He did not ask the warden first; 30 days have not lapsed. He is 67 years old, and his age matters.",
    "The Court lacks jurisdiction. The motion is dismissed as moot. Not extraordinary and compelling.",
    "Nothing here matches any rule at all.",
    "",
]


def test_shared_training_features_equal_each_heads_own(tmp_path):
    from model.schema import load_schema
    from model.streaming import StreamingMotionOutcomeModel

    model = StreamingMotionOutcomeModel(schema=load_schema().to_dict()).start()
    texts = [r["text"] for r in make_records(20)] + SCREENING_TEXTS
    texts[3] = " ".join([texts[3]] * 30)  # longer than the opening the motion head reads
    assert len(texts[3]) > model.opening_.chars
    X_disp, X_reason, X_motion = model._training_features(texts)
    for shared, own in ((X_disp, model._disposition_features(texts)), (X_reason, model._reason_features(texts)),
                        (X_motion, model._motion_features(texts))):
        assert shared.shape == own.shape and abs(shared - own).max() == 0


def test_a_finished_model_keeps_only_what_prediction_needs():
    from model.schema import load_schema
    from model.streaming import StreamingMotionOutcomeModel

    rows = make_records(300)
    model = StreamingMotionOutcomeModel(schema=load_schema().to_dict(), epochs=2)

    def chunks():
        for lo in range(0, len(rows), 70):
            part = rows[lo:lo + 70]
            yield ([r["text"] for r in part], [r["disposition"] for r in part], [r["reasons"] for r in part],
                   [r["motion_type"] for r in part], [r["id"] for r in part])

    model.fit(chunks)
    for name in ("disposition_weights_", "reason_weights_", "motion_type_weights_"):
        weights = getattr(model, name)
        assert weights.coef_t.dtype == np.float32 and weights.coef_t.shape[0] >= model.n_features
        assert np.count_nonzero(weights.coef_t) > 0
    for gone in ("disposition_clf_", "reason_clfs_", "motion_type_clf_", "_holdout", "_counts"):
        assert not hasattr(model, gone)
    assert 0 < model.n_threshold_records_ <= model.holdout_size


def _scale_bench():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "scale.py"
    spec = importlib.util.spec_from_file_location("scale_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scale_results_of_separate_runs_are_merged_not_overwritten(tmp_path):
    scale = _scale_bench()
    path = tmp_path / "scale.json"

    def row(n, seconds):
        return {"documents": n, "chunk_size": 1000, "epochs": 1, "seconds": seconds}

    scale.write_results({"streaming_training": [row(10_000, 20), row(100_000, 200)], "dask_scoring": {"x": 1}},
                        {"streaming_training": "run a", "dask_scoring": "run a"}, path)
    scale.write_results({"streaming_training": [row(1_000_000, 2000)]}, {"streaming_training": "run b"}, path)
    scale.write_results({"streaming_training": [row(10_000, 15)]}, {"streaming_training": "run c"}, path)
    report = json.loads(path.read_text())
    assert [(r["documents"], r["seconds"]) for r in report["streaming_training"]] == [
        (10_000, 15), (100_000, 200), (1_000_000, 2000)]
    assert report["dask_scoring"] == {"x": 1} and report["commands"]["dask_scoring"] == "run a"
    assert report["commands"]["streaming_training"] == "run c"


def test_a_finished_model_is_the_same_size_however_many_records_it_saw():
    """Its weights are sized by n_features, not by how many hashed columns the texts reached."""
    from model.schema import load_schema
    from model.streaming import StreamingMotionOutcomeModel

    def weight_bytes(n_records: int) -> int:
        rows = make_records(n_records, seed=n_records)
        for i, row in enumerate(rows):  # words of its own in each text, as real texts have
            row["text"] += f" Docket entry {i}, exhibit q{i}z."
        model = StreamingMotionOutcomeModel(schema=load_schema().to_dict(), n_features=2 ** 12, epochs=1)
        model.fit([([r["text"] for r in rows], [r["disposition"] for r in rows], [r["reasons"] for r in rows],
                    [r["motion_type"] for r in rows], [r["id"] for r in rows])])
        weights = [model.disposition_weights_, model.reason_weights_, model.motion_type_weights_]
        reached = sum(np.count_nonzero(w.coef_t.any(axis=1)) for w in weights)
        return sum(w.coef_t.nbytes + w.intercept.nbytes for w in weights), reached

    small, reached_small = weight_bytes(40)
    large, reached_large = weight_bytes(400)
    assert reached_large > reached_small  # more texts reach more columns ...
    assert large == small  # ... and the model does not grow



def test_evidence_quotes_teach_the_ruling_sentence_ranker(tmp_path):
    """With quotes of the ruling sentence the ranker is learned, and it finds that sentence in
    new texts; without quotes the keyword rules choose the sentences."""
    from streaming_helpers import OPENINGS
    from training.streaming_train import train_streaming

    def trained(name: str, with_evidence: bool) -> Predictor:
        rows = make_records(300)
        for row in rows:
            if with_evidence:
                row["evidence"] = OPENINGS[row["disposition"]]
        train_streaming(write_jsonl(tmp_path / f"{name}.jsonl", rows), tmp_path / name, chunk_size=100,
                        epochs=2, progress=lambda message: None)
        return Predictor.from_directory(tmp_path / name)

    new = make_records(5, seed=99, prefix="new")
    learned = trained("quoted", True)
    assert learned.model.ruling_weights_ is not None
    for row in new:
        ranked = learned.model.rank_ruling_sentences([row["text"]])[0]
        best = ranked[0][0]
        assert row["text"][best.start:best.end] == OPENINGS[row["disposition"]]
        assert 0 <= ranked[-1][1] < ranked[0][1] <= 1
    rules = trained("unquoted", False)
    assert rules.model.ruling_weights_ is None
    assert all(score == 1.0 for score in [s for _, s in rules.model.rank_ruling_sentences([new[0]["text"]])[0]])


def test_streaming_training_is_deterministic_for_a_seed(tmp_path):
    from streaming_helpers import train_tiny_model

    corpus = write_jsonl(tmp_path / "corpus.jsonl", make_records(150))
    first = Predictor.from_directory(train_tiny_model(tmp_path / "a", corpus)).model_version
    assert Predictor.from_directory(train_tiny_model(tmp_path / "b", corpus)).model_version == first
