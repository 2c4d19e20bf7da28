"""Short labeled decisions written for the tests from templates: enough to fit a small model fast.

They are not real decisions and say nothing about accuracy; they exercise the machinery.
"""
from __future__ import annotations

import random

RULINGS = {
    "granted": ["For the reasons below, the defendant's motion for compassionate release is GRANTED.",
                "The Court grants the motion and reduces the sentence to time served."],
    "denied": ["For the reasons below, the defendant's motion for compassionate release is DENIED.",
               "The Court denies the motion for a sentence reduction."],
    "dismissed": ["The motion is dismissed for lack of jurisdiction.",
                  "Because the defendant did not exhaust, the Court dismisses the motion without prejudice."],
    "granted_in_part": ["The motion is granted in part and denied in part.",
                        "The Court grants the motion in part and reduces the term to 120 months."],
    "unknown": ["The government filed a response in opposition on May 3.",
                "The defendant was sentenced in 2015 to 180 months of imprisonment."],
}
REASONS = {
    "covid_19": "He fears the COVID-19 pandemic and outbreaks at the facility.",
    "medical_condition": "He suffers from diabetes and hypertension, chronic medical conditions.",
    "rehabilitation": "He points to his rehabilitation and the educational courses he completed.",
    "failure_to_exhaust": "He did not exhaust administrative remedies with the warden.",
    "section_3553a": "The 3553(a) factors weigh against release given the seriousness of the offense.",
}
FILLER = ["The defendant pleaded guilty to conspiracy to distribute cocaine.",
          "He is housed at FCI Elkton.", "The government opposes the motion.",
          "The probation office prepared a report."]


def make_records(n_per_class: int = 12, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for disposition, rulings in RULINGS.items():
        for k in range(n_per_class):
            reasons = rng.sample(sorted(REASONS), k=rng.randint(1, 3))
            ruling = rng.choice(rulings)
            body = [REASONS[r] for r in reasons] + rng.sample(FILLER, k=2)
            rng.shuffle(body)
            sentences = ["ORDER", "This matter is before the Court on the defendant's motion."]
            sentences += ([ruling] if disposition != "unknown" else []) + body + (
                [ruling] if disposition == "unknown" else [])
            records.append({
                "id": f"{disposition}-{k}", "text": "\n".join(sentences),
                "disposition": disposition, "reasons": reasons,
                "motion_type": "compassionate_release" if k % 3 else "guideline_reduction",
                "evidence": ruling if disposition != "unknown" else None,
                "split": "dev" if k % 4 == 0 else "train",
            })
    return records
