"""The researcher's loop end to end, through the command line: a folder of generated .txt, .pdf
and .html decisions -> corpus build -> review export (the model predicts) -> the reviewer fills in
labels -> review import -> retrain -> the reviewed labels are in the corpus and the model changed."""
from __future__ import annotations

import csv
import json
import random
import re

from make_documents import write_html, write_pdf
from model.predict import Document, Predictor
from motion_outcome.cli import main
from training.corpus import read_corpus

NAMES = ["Abbott", "Baker", "Castro", "Dunn", "Ellis", "Foster", "Garcia", "Hughes", "Ibarra", "Jensen",
         "Keller", "Lowe", "Mendez", "Nash", "Ortiz", "Perry", "Quinn", "Reyes", "Shaw", "Tran"]
GROUNDS = {
    "medical_condition": ["He suffers from congestive heart failure and diabetes.",
                          "Her doctors treat her for stage three kidney disease.",
                          "He has had two strokes and uses a wheelchair."],
    "covid_19": ["He fears the spread of COVID-19 at his facility.",
                 "She says the pandemic makes her prison unsafe.",
                 "Outbreaks of the coronavirus at the camp worry him."],
    "family_circumstances": ["His wife died and his minor children have no caregiver.",
                             "Her mother is bedridden and needs her care.",
                             "He is the only one who can look after his disabled son."],
    "rehabilitation": ["He points to his rehabilitation and his completed programming.",
                       "She earned a degree and has no disciplinary record in custody.",
                       "He teaches a literacy class and completed drug treatment."],
}
RULINGS = {
    "granted": "The motion for compassionate release is GRANTED, and the sentence is reduced to time served.",
    "denied": "The motion for compassionate release is DENIED.",
    "dismissed": "The motion is DISMISSED without prejudice for lack of jurisdiction.",
    "unknown": None,
}
OFFENSES = ["distributing methamphetamine", "wire fraud", "bank robbery", "possessing a firearm as a felon",
            "conspiracy to distribute cocaine", "child pornography", "tax evasion", "carjacking"]
FACILITIES = ["FCI Englewood", "FMC Butner", "USP Atlanta", "FCI Dublin", "FCI Oakdale", "FPC Yankton",
              "FCI Elkton", "FMC Carswell"]
WORDS = ("record filing brief motion reply hearing docket exhibit counsel probation report letter request "
         "warden custody release sentence months years court order memorandum statute guideline").split()


def decision(i: int, rng: random.Random) -> tuple[str, dict]:
    """A short decision; facts, wording and filler differ per document so no two are near-duplicates."""
    disposition = list(RULINGS)[i % 4]
    name = f"{NAMES[i % len(NAMES)]}-{i}"
    grounds = rng.sample(sorted(GROUNDS), 2)
    months, served = rng.randint(60, 240), rng.randint(12, 59)
    filler = " ".join(rng.choice(WORDS) for _ in range(30))
    parts = [f"UNITED STATES DISTRICT COURT\n\nUNITED STATES OF AMERICA v. {name.upper()}\n\nMEMORANDUM AND ORDER",
             f"In {2010 + i % 12} the court sentenced {name} to {months} months for {rng.choice(OFFENSES)}; "
             f"{served} months have been served at {rng.choice(FACILITIES)}.",
             f"{name} now moves for a reduction of sentence under 18 U.S.C. 3582(c)(1)(A) (Doc. {rng.randint(40, 400)}).",
             *(rng.choice(GROUNDS[g]) for g in grounds),
             f"The filings mention, among other things: {filler}.",
             "The government filed a response opposing the motion." if i % 3 else "The government did not respond."]
    parts.append(RULINGS[disposition] or "The court will set a hearing on the motion.")
    return "\n\n".join(parts), {"disposition": disposition, "reasons": grounds, "evidence": RULINGS[disposition]}


def write_folder(folder, n=64):
    rng = random.Random(5)
    truth = {}
    for i in range(n):
        text, labels = decision(i, rng)
        stem = f"case-{i:03d}"
        kind = ("txt", "pdf", "html")[i % 3]
        if kind == "txt":
            (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
        elif kind == "pdf":
            paragraphs = text.split("\n\n")
            pages = ["\n\n".join(paragraphs[:4]), "\n\n".join(paragraphs[4:7]), "\n\n".join(paragraphs[7:])]
            write_pdf(folder / "pdf" / f"{stem}.pdf", pages, header="Case 1:21-cr-%05d Document 9 Page {page} of {pages}" % i)
            stem = f"pdf/{stem}"
        else:
            write_html(folder / "web" / f"{stem}.html", f"United States v. {i}", text.split("\n\n"))
            stem = f"web/{stem}"
        truth[stem] = labels
    return truth


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_build_review_import_retrain(tmp_path, trained_model_dir):
    folder = tmp_path / "decisions"
    folder.mkdir()
    truth = write_folder(folder)
    corpus = tmp_path / "corpus.jsonl"

    assert main(["corpus", "build", "--folder", str(folder), "--out", str(corpus)]) == 0
    built = read_corpus(corpus).records
    assert {r.id for r in built} == set(truth)
    assert all(r.fields["provenance"]["sha256"] and r.fields["provenance"]["path"] for r in built)
    assert not any("Document 9" in r.text for r in built)  # PDF page headers removed

    review = tmp_path / "review.csv"
    assert main(["review", "export", "--corpus", str(corpus), "--model", str(trained_model_dir),
                 "--out", str(review)]) == 0
    rows = read_csv(review)
    assert {row["id"] for row in rows} == set(truth)
    flagged = [row["needs_review"] == "yes" for row in rows]
    assert flagged == sorted(flagged, reverse=True)  # needs_review first
    assert all(row["disposition"] == "" for row in rows)

    # The reviewer labels every document; where the model was wrong, that is a correction. The
    # evidence is copied from the document as it reads there (a PDF may wrap the sentence).
    texts = {r.id: r.text for r in built}
    for row in rows:
        labels = truth[row["id"]]
        quote = ""
        if labels["evidence"]:
            found = re.search(r"\s+".join(map(re.escape, labels["evidence"].split())), texts[row["id"]])
            quote = found.group(0)
        row.update(disposition=labels["disposition"], reasons="; ".join(labels["reasons"]) or "none",
                   motion_type="compassionate_release", evidence=quote, reviewer="e2e")
    write_csv(review, rows)
    corrected = {row["id"] for row in rows if row["predicted_disposition"] != truth[row["id"]]["disposition"]}
    assert main(["review", "import", "--review", str(review), "--corpus", str(corpus)]) == 0
    merged = {r.id: r for r in read_corpus(corpus).records}
    for record_id, labels in truth.items():
        record = merged[record_id]
        assert record.label("disposition") == labels["disposition"]
        assert sorted(record.label("reasons")) == sorted(labels["reasons"])
        assert record.fields["review"]["by"] == "e2e"
    changes = [json.loads(line) for line in (tmp_path / "corpus.jsonl.changes.jsonl").read_text().splitlines()]
    assert {c["id"] for c in changes if c["field"] == "disposition"} == set(truth)

    # A second pass corrects one label again: the reviewer wins over the label already there.
    target = sorted(truth)[0]
    second = tmp_path / "second.jsonl"
    assert main(["review", "export", "--corpus", str(corpus), "--model", str(trained_model_dir),
                 "--out", str(second), "--include-reviewed", "--limit", "5"]) == 0
    lines = [json.loads(line) for line in second.read_text().splitlines()]
    assert len(lines) == 5 and lines[0]["current_disposition"] is not None
    old = merged[target].label("motion_type")
    second.write_text(json.dumps({"id": target, "motion_type": "home_confinement", "reviewer": "second"}) + "\n")
    assert main(["review", "import", "--review", str(second), "--corpus", str(corpus)]) == 0
    assert {r.id: r for r in read_corpus(corpus).records}[target].label("motion_type") == "home_confinement"
    last = json.loads((tmp_path / "corpus.jsonl.changes.jsonl").read_text().splitlines()[-1])
    assert (last["id"], last["old"], last["new"], last["reviewer"]) == (target, old, "home_confinement", "second")

    new_model = tmp_path / "models" / "reviewed"
    assert main(["retrain", "--corpus", str(corpus), "--before", str(trained_model_dir), "--out", str(new_model)]) == 0
    report = json.loads((tmp_path / "models" / "retraining-report.json").read_text())
    assert report["train_n"] + report["dev_n"] == len(truth) and report["reviewed"] == len(truth)
    before, after = Predictor.from_directory(trained_model_dir), Predictor.from_directory(new_model)
    assert report["before"]["model_version"] == before.model_version != after.model_version
    assert after.metadata["retrained_from"] == before.model_version
    documents = [Document(r.id, r.text) for r in read_corpus(corpus).records]
    old_predictions, new_predictions = before.predict(documents), after.predict(documents)
    assert [p["disposition_probabilities"] for p in old_predictions] != [p["disposition_probabilities"] for p in new_predictions]
    right_before = sum(p["disposition"] == truth[p["id"]]["disposition"] for p in old_predictions)
    right_after = sum(p["disposition"] == truth[p["id"]]["disposition"] for p in new_predictions)
    assert right_after >= right_before
    fixed = [p["id"] for p in new_predictions if p["id"] in corrected and p["disposition"] == truth[p["id"]]["disposition"]]
    assert not corrected or fixed  # what the reviewer corrected, the new model now gets right (some of it at least)
