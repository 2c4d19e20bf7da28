"""Which predictions a person should read first.

Order: every prediction flagged ``needs_review``, then the rest, each part by uncertainty; the
tail of a limited queue is a small seeded random sample of confident predictions, so the
reviewer also audits what the model is sure of (a model can be confidently wrong).

Uncertainty is 0..1: the disposition's (1 - top probability, scaled so a uniform guess is 1) and
the reasons' (how close the probability of the most borderline reason is to its threshold),
averaged with weight ``reason_weight`` on the reasons.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class QueueItem:
    index: int
    queue: str  # needs_review | uncertain | audit | confident
    score: float
    disposition_uncertainty: float
    reason_uncertainty: float
    needs_review: bool


def disposition_uncertainty(prediction: dict) -> float:
    probabilities = list(prediction["disposition_probabilities"].values())
    if len(probabilities) < 2:
        return 0.0
    return float((1 - max(probabilities)) / (1 - 1 / len(probabilities)))


def reason_uncertainty(probabilities: np.ndarray, thresholds: np.ndarray) -> float:
    if probabilities is None or len(probabilities) == 0:
        return 0.0
    thresholds = np.asarray(thresholds, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    # Distance to the threshold, as a share of the room on that side (0 or 1 is as sure as it gets).
    room = np.where(probabilities < thresholds, thresholds, 1 - thresholds)
    closeness = 1 - np.abs(probabilities - thresholds) / np.where(room > 0, room, 1)
    return float(np.clip(closeness, 0, 1).max())


class ReviewQueue:
    def __init__(self, reason_weight: float = 0.5, audit_fraction: float = 0.05, seed: int = 0):
        if not 0 <= audit_fraction < 1:
            raise ValueError("audit_fraction must be in [0, 1)")
        self.reason_weight, self.audit_fraction, self.seed = reason_weight, audit_fraction, seed

    def score(self, predictions: Sequence[dict], reason_proba: np.ndarray | None = None,
              thresholds: Sequence[float] | None = None) -> list[QueueItem]:
        items = []
        for i, prediction in enumerate(predictions):
            d = disposition_uncertainty(prediction)
            r = reason_uncertainty(reason_proba[i], thresholds) if reason_proba is not None else 0.0
            score = (d + self.reason_weight * r) / (1 + self.reason_weight)
            flagged = bool(prediction.get("needs_review"))
            items.append(QueueItem(i, "needs_review" if flagged else "uncertain", round(score, 4), round(d, 4),
                                   round(r, 4), flagged))
        return items

    def rank(self, predictions: Sequence[dict], reason_proba: np.ndarray | None = None,
             thresholds: Sequence[float] | None = None, limit: int | None = None) -> list[QueueItem]:
        """The queue, best first; ``limit``: its length, audit sample included."""
        ranked = sorted(self.score(predictions, reason_proba, thresholds),
                        key=lambda item: (not item.needs_review, -item.score, item.index))
        if limit is None or limit >= len(ranked):
            return [item if item.needs_review or item.score > 0.5 else _as(item, "confident") for item in ranked]
        n_audit = max(1, round(limit * self.audit_fraction)) if self.audit_fraction > 0 and limit >= 2 else 0
        head, rest = ranked[:limit - n_audit], ranked[limit - n_audit:]
        confident = [item for item in rest if not item.needs_review] or rest
        audit = random.Random(self.seed).sample(confident, min(n_audit, len(confident)))
        return head + [_as(item, "audit") for item in sorted(audit, key=lambda item: item.index)]


def _as(item: QueueItem, queue: str) -> QueueItem:
    return QueueItem(item.index, queue, item.score, item.disposition_uncertainty, item.reason_uncertainty,
                     item.needs_review)
