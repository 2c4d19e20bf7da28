"""The model on short texts written for the tests: it fits, predicts the contract, finds evidence,
saves and loads safely, and is deterministic."""
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from model.artifact import ArtifactError, load_model, save_model
from model.pipeline import (MotionOutcomeModel, choose_f1_threshold, choose_review_threshold,
                            choose_shared_threshold, cross_fitted_frame, teaches_locator)
from model.predict import Document, Predictor
from model.schema import load_schema
from synthetic import make_records

SCHEMA = load_schema()


@pytest.fixture(scope="module")
def records():
    return make_records()


@pytest.fixture(scope="module")
def fitted(records):
    train = [r for r in records if r["split"] == "train"]
    return MotionOutcomeModel(schema=SCHEMA.to_dict(), folds=3).fit(
        [r["text"] for r in train], [r["disposition"] for r in train], [r["reasons"] for r in train],
        [r["motion_type"] for r in train], evidence=[r["evidence"] for r in train])


def test_predictions_follow_the_contract_and_quote_evidence(fitted, records):
    dev = [r for r in records if r["split"] == "dev"]
    rows = Predictor(fitted, {"model_version": "v-test"}).predict([Document(r["id"], r["text"]) for r in dev])
    assert [row["id"] for row in rows] == [r["id"] for r in dev]
    correct = sum(row["disposition"] == r["disposition"] for row, r in zip(rows, dev))
    assert correct >= 0.8 * len(dev)
    for row, record in zip(rows, dev):
        assert set(row) >= {"id", "disposition", "disposition_probabilities", "disposition_evidence", "reasons",
                            "motion_type", "needs_review", "model_version"}
        assert abs(sum(row["disposition_probabilities"].values()) - 1) < 1e-3
        assert list(row["disposition_probabilities"]) == [d for d in SCHEMA.dispositions
                                                          if d in row["disposition_probabilities"]]
        for quote in row["disposition_evidence"] + [e for r in row["reasons"] for e in r["evidence"]]:
            assert record["text"][quote["start"]:quote["end"]] == quote["text"]
        if row["disposition"] == "unknown":
            assert row["needs_review"] and row["disposition_evidence"] == []
        if row["disposition"] == record["disposition"] != "unknown":
            assert record["evidence"] in [q["text"] for q in row["disposition_evidence"]]


def test_predicting_nothing_gives_nothing(fitted):
    assert Predictor(fitted, {}).predict([]) == []


def test_save_load_roundtrip_is_deterministic_and_checked(fitted, records, tmp_path):
    meta = {"label_schema": SCHEMA.to_dict()}
    first = save_model(fitted, tmp_path / "m1", meta, "# card {model_version}")
    second = save_model(fitted, tmp_path / "m2", meta, "# card {model_version}")
    assert first["model_version"] == second["model_version"]
    assert (tmp_path / "m1" / "MODEL_CARD.md").read_text() == f"# card {first['model_version']}"
    assert {"scikit-learn", "numpy", "skops", "python"} <= set(first["libraries"])
    loaded, metadata = load_model(tmp_path / "m1")
    texts = [r["text"] for r in records[:5]]
    assert (loaded.predict_disposition_proba(texts) == fitted.predict_disposition_proba(texts)).all()

    # replaced atomically: saving again over m1 leaves no staging folders behind
    save_model(fitted, tmp_path / "m1", meta, "card")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m1", "m2"]


def test_reason_heads_scored_at_once_match_scikit_learn_and_are_not_saved(fitted, records, tmp_path):
    texts = [r["text"] for r in records]
    before = save_model(fitted, tmp_path / "before", {}, "card")["model_version"]
    assert np.array_equal(fitted.predict_reason_sentences_proba(texts), fitted.reasons_.predict_proba(texts))
    assert fitted.__dict__["_stacked_reasons"][1] is not None  # built by that call ...
    assert save_model(fitted, tmp_path / "after", {}, "card")["model_version"] == before  # ... and not saved
    loaded, _ = load_model(tmp_path / "after")
    assert np.array_equal(loaded.predict_reasons_proba(texts), fitted.predict_reasons_proba(texts))


def test_training_is_deterministic_for_a_seed(fitted, records, tmp_path):
    train = [r for r in records if r["split"] == "train"]
    again = MotionOutcomeModel(schema=SCHEMA.to_dict(), folds=3).fit(
        [r["text"] for r in train], [r["disposition"] for r in train], [r["reasons"] for r in train],
        [r["motion_type"] for r in train], evidence=[r["evidence"] for r in train])
    first = save_model(fitted, tmp_path / "a", {}, "card")
    second = save_model(again, tmp_path / "b", {}, "card")
    assert first["model_version"] == second["model_version"]


def test_one_document_or_many(fitted):
    predictor = Predictor(fitted, {})
    one = predictor.predict([Document("x", "The motion for compassionate release is DENIED.")])
    assert len(one) == 1 and one[0]["disposition"] == "denied"
    many = predictor.predict([Document(str(i), "The motion is GRANTED.") for i in range(300)])
    assert [r["id"] for r in many] == [str(i) for i in range(300)]
    assert all(isinstance(r["motion_type"], str) and type(r["motion_type"]) is str for r in many)


def test_incompatible_or_tampered_models_fail_clearly(fitted, tmp_path):
    save_model(fitted, tmp_path / "m", {}, "card")
    metadata_path = tmp_path / "m" / "metadata.json"
    original = json.loads(metadata_path.read_text())

    metadata_path.write_text(json.dumps({**original, "format_version": 999}))
    with pytest.raises(ArtifactError, match="model format 999 was written by another version"):
        load_model(tmp_path / "m")
    metadata_path.write_text(json.dumps({**original, "libraries": {**original["libraries"], "scikit-learn": "0.24.2"}}))
    with pytest.raises(ArtifactError, match="trained with scikit-learn 0.24.2"):
        load_model(tmp_path / "m")
    metadata_path.write_text(json.dumps(original))

    with zipfile.ZipFile(tmp_path / "m" / "model.skops", "a") as archive:
        archive.writestr("extra.npy", b"tampered")
    with pytest.raises(ArtifactError, match="does not match metadata.json"):
        load_model(tmp_path / "m")
    with pytest.raises(ArtifactError, match="model directory not found"):
        load_model(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArtifactError, match="metadata.json is missing"):
        load_model(tmp_path / "empty")


def test_untrusted_types_are_refused(tmp_path):
    import skops.io as sio
    from collections import OrderedDict
    from fractions import Fraction

    from model.artifact import content_hash, FORMAT_VERSION, library_versions

    (tmp_path / "m").mkdir()
    sio.dump({"x": Fraction(1, 3)}, tmp_path / "m" / "model.skops")
    (tmp_path / "m" / "metadata.json").write_text(json.dumps({
        "format_version": FORMAT_VERSION, "libraries": library_versions(),
        "model_sha256": content_hash(tmp_path / "m" / "model.skops")}))
    with pytest.raises(ArtifactError, match="refusing to load untrusted types.*fractions.Fraction"):
        load_model(tmp_path / "m")


def test_review_threshold_keeps_the_most_confident_at_the_target():
    import numpy as np
    classes = np.array(["a", "b", "unknown"], dtype=object)
    proba = np.array([[0.95, 0.05, 0], [0.9, 0.1, 0], [0.2, 0.8, 0], [0.6, 0.4, 0], [0.1, 0.1, 0.8]])
    truth = np.array(["a", "a", "b", "b", "unknown"], dtype=object)
    threshold = choose_review_threshold(proba, classes, truth, "unknown", precision=0.98)
    assert 0.6 < threshold <= 0.8  # keeps 0.95, 0.9, 0.8 (all right), drops the wrong 0.6
    assert choose_review_threshold(proba, classes, np.array(["b"] * 5, dtype=object), "unknown", 0.98) == 1.0


def test_f1_threshold_separates_when_possible():
    import numpy as np
    t = choose_f1_threshold(np.array([0.1, 0.2, 0.7, 0.9]), np.array([0, 0, 1, 1]))
    assert 0.2 < t <= 0.7


def test_reasons_share_one_threshold_and_a_reason_never_seen_is_never_predicted():
    scores = np.array([[0.9, 0.3, 0.2], [0.6, 0.7, 0.1], [0.2, 0.65, 0.3], [0.1, 0.2, 0.4]])
    truth = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0]])
    thresholds = choose_shared_threshold(scores, truth)
    assert thresholds[2] == 1.0
    assert thresholds[0] == thresholds[1]
    assert 0.3 < thresholds[0] <= 0.6  # every positive above it, every negative of a seen reason below
    assert ((scores >= thresholds) == truth).all()


class _Recorder(BaseEstimator):
    """A stand-in locator that tells, per text, whether it was fitted on that text."""

    def fit(self, X, y=None):
        self.seen_ = set(X)
        return self

    def transform(self, X):
        return pd.DataFrame({"text": list(X), "seen": [x in self.seen_ for x in X]})


def test_cross_fitted_frame_locates_each_text_with_a_locator_that_never_saw_it():
    texts = [f"text {i}" for i in range(12)]
    splits = [(np.array([i for i in range(12) if i % 3 != k]), np.array([i for i in range(12) if i % 3 == k]))
              for k in range(3)]
    teaches = np.array([i != 4 for i in range(12)])
    frame = cross_fitted_frame(_Recorder(), texts, np.array([None] * 12, dtype=object), teaches, splits)
    assert list(frame["text"]) == texts  # one row per text, in the original order
    assert not frame["seen"].any()


def test_only_texts_with_a_known_ruling_sentence_teach_the_locator():
    taught = teaches_locator(["the motion is DENIED.", None, "  ", None],
                             ["denied", "unknown", "granted", "granted"], "unknown")
    assert taught.tolist() == [True, True, False, False]
