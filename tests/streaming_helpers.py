"""Small labeled decisions written for the streaming and Dask tests (no corpus text), and a
tiny streaming model trained on them in a few seconds."""
from __future__ import annotations

import json
import random
from pathlib import Path

OPENINGS = {
    "granted": "For the reasons below, the defendant's motion is GRANTED and his sentence is reduced to time served.",
    "denied": "For the reasons below, the defendant's motion is DENIED.",
    "dismissed": "The Court lacks jurisdiction, and the defendant's motion is DISMISSED without prejudice.",
}
REASON_SENTENCES = {
    "failure_to_exhaust": "He did not ask the warden first, so he has not exhausted his administrative remedies.",
    "covid_19": "He points to the COVID-19 pandemic and the outbreak at his prison.",
    "medical_condition": "He suffers from diabetes, obesity and hypertension.",
}
MOTION_OPENINGS = {
    "compassionate_release": "Before the Court is a motion for compassionate release under 18 U.S.C. 3582(c)(1)(A).",
    "supervised_release": "Before the Court is a motion for early termination of supervised release.",
}
FILLER = ["The defendant was sentenced in 2015 to 120 months in prison.",
          "The government filed a response and the defendant replied.",
          "The Court has reviewed the record and the parties' briefs.",
          "He is housed at a federal correctional institution."]


def make_records(n: int, seed: int = 0, prefix: str = "r") -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        disposition = rng.choice(sorted(OPENINGS))
        motion = rng.choice(sorted(MOTION_OPENINGS))
        reasons = sorted(r for r in REASON_SENTENCES if rng.random() < 0.4)
        body = [MOTION_OPENINGS[motion], rng.choice(FILLER)] + [REASON_SENTENCES[r] for r in reasons]
        body += rng.sample(FILLER, 2) + [OPENINGS[disposition], "IT IS SO ORDERED."]
        rows.append({"id": f"{prefix}{i:05d}", "text": " ".join(body), "disposition": disposition,
                     "reasons": reasons, "motion_type": motion, "split": "train" if i % 5 else "dev"})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def train_tiny_model(out: Path, corpus: Path) -> Path:
    from training.streaming_train import train_streaming

    train_streaming(corpus, out, chunk_size=50, epochs=3, progress=lambda message: None)
    return out
