"""Train on the shared corpus's train split and check the model on its dev split, end to end."""
import json

import pytest

from model.predict import Document, Predictor
from model.schema import LabelSchema
from motion_outcome.cli import main


@pytest.fixture(scope="module")
def metadata(trained_model_dir):
    return json.loads((trained_model_dir / "metadata.json").read_text())


def test_dev_metrics_beat_both_baselines(metadata):
    metrics = metadata["metrics"]
    model, majority, rules = metrics["model"], metrics["majority"], metrics["keyword_rules"]
    for head, key in [("disposition", "accuracy_known"), ("disposition", "macro_f1_known"),
                      ("reasons", "micro_f1"), ("reasons", "macro_f1")]:
        assert model[head][key] > majority[head][key], (head, key)
        assert model[head][key] > rules[head][key], (head, key)
    assert model["disposition"]["calibration"]["brier"] < rules["disposition"]["calibration"]["brier"]
    review = model["disposition"]["review"]
    assert review["unknown_flagged"] >= 0.9
    assert review["accuracy_unflagged"] > model["disposition"]["accuracy_known"]


def test_seed_order_is_a_denial_for_covid_and_rehabilitation(trained_model_dir, seed_order_path):
    text = seed_order_path.read_text()
    row = Predictor.from_directory(trained_model_dir).predict([Document("seed", text)])[0]
    assert row["disposition"] == "denied"
    assert {"covid_19", "rehabilitation"} <= {r["label"] for r in row["reasons"]}
    evidence = row["disposition_evidence"][0]
    assert text[evidence["start"]:evidence["end"]] == evidence["text"]
    assert "DENIED" in evidence["text"] or "denies" in evidence["text"]


def test_metadata_describes_the_artifact(metadata, corpus_path):
    assert LabelSchema.from_dict(metadata["label_schema"]).reasons
    assert len(metadata["training_data"]["sha256"]) == 64
    assert metadata["training_data"]["records"] > 0
    assert 0 < metadata["review_threshold"] <= 1


def test_predict_and_evaluate_commands(trained_model_dir, corpus_path, tmp_path, capsys):
    records = [json.loads(line) for line in corpus_path.read_text().splitlines()[:5]]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in records))
    assert main(["predict", "--model", str(trained_model_dir), "--input", str(source),
                 "--output", str(tmp_path / "out.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in records]

    assert main(["evaluate", "--model", str(trained_model_dir), "--corpus", str(corpus_path),
                 "--json", str(tmp_path / "eval.json")]) == 0
    printed = capsys.readouterr().out
    report = json.loads((tmp_path / "eval.json").read_text())
    assert {"model", "majority", "keyword_rules"} <= set(report)
    assert f"{report['model']['disposition']['accuracy_known']:.4f}" in printed
