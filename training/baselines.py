"""The baselines every metric is reported beside: always the majority label, and keyword rules.

Both predict from the same label schema as the model, and give the fields the evaluator reads.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

from model.features import RulingSentenceSelector
from model.schema import LabelSchema


class MajorityBaseline:
    """The most frequent disposition, reasons and motion type of the training records."""

    name = "majority"

    def __init__(self, schema: LabelSchema):
        self.schema = schema

    def fit(self, dispositions, reasons, motion_types) -> "MajorityBaseline":
        self.disposition_ = Counter(dispositions).most_common(1)[0][0]
        n = len(reasons)
        counts = Counter(r for rs in reasons for r in rs)
        self.reasons_ = [r for r in self.schema.reasons if counts[r] > n / 2]
        self.motion_type_ = Counter(motion_types).most_common(1)[0][0]
        return self

    def predict(self, texts) -> list[dict[str, Any]]:
        probabilities = {d: float(d == self.disposition_) for d in self.schema.dispositions}
        return [{"disposition": self.disposition_, "disposition_probabilities": probabilities,
                 "reasons": [{"label": r} for r in self.reasons_], "motion_type": self.motion_type_,
                 "needs_review": False} for _ in texts]


class KeywordRuleBaseline:
    """The schema's keyword rules deciding alone: the first ruling sentence's first matching
    disposition rule (in schema order), and every reason whose rule matches anywhere."""

    name = "keyword_rules"

    def __init__(self, schema: LabelSchema):
        self.schema = schema
        self.selector = RulingSentenceSelector(keywords=schema.disposition_keywords)
        self.disposition_rules = [(label, re.compile("|".join(ps), re.I))
                                  for label, ps in schema.disposition_keywords.items() if ps]
        self.reason_rules = [(label, re.compile("|".join(ps), re.I))
                             for label, ps in schema.reason_keywords.items() if ps]

    def fit(self, dispositions, reasons, motion_types) -> "KeywordRuleBaseline":
        self.motion_type_ = Counter(motion_types).most_common(1)[0][0]
        self.fallback_ = self.schema.unknown_disposition or Counter(dispositions).most_common(1)[0][0]
        return self

    def _disposition(self, text: str) -> str:
        for span in self.selector.select_spans(text)[:1]:
            sentence = text[span.start:span.end]
            for label, rule in self.disposition_rules:
                if rule.search(sentence):
                    return label
        return self.fallback_

    def predict(self, texts) -> list[dict[str, Any]]:
        out = []
        for text in texts:
            disposition = self._disposition(text)
            out.append({
                "disposition": disposition,
                "disposition_probabilities": {d: float(d == disposition) for d in self.schema.dispositions},
                "reasons": [{"label": label} for label, rule in self.reason_rules if rule.search(text)],
                "motion_type": self.motion_type_,
                "needs_review": disposition == self.schema.unknown_disposition,
            })
        return out
