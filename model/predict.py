"""Turn a fitted ``MotionOutcomeModel`` into the prediction contract, with evidence sentences.

The contract (one JSON object per document) is what ``motion-outcome predict`` writes and what the
service returns; other tools depend on it, so its keys only ever grow.
Evidence is chosen by the model itself: each candidate sentence is scored alone, and the sentence
that most supports the predicted label is quoted verbatim with its offsets.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import sklearn

from model.artifact import load_model
from model.pipeline import MotionOutcomeModel
from model.sentences import Span, sentence_spans

MAX_REASON_EVIDENCE = 2


@dataclass(frozen=True)
class Document:
    id: str | None
    text: str


class Predictor:
    """A loaded model plus its metadata; ``predict`` is pure and thread-safe.

    ``model`` is any object with the prediction interface of ``MotionOutcomeModel`` (schema,
    fitted thresholds and class lists, ``predict_*_proba``, ``rank_ruling_sentences``, ``ruling_spans``).
    """

    def __init__(self, model: MotionOutcomeModel, metadata: dict[str, Any]):
        self.model = model
        self.metadata = metadata
        self.model_version = metadata.get("model_version", "unversioned")
        self.unknown = model.schema["disposition"].get("unknown")

    @classmethod
    def from_directory(cls, directory: str | Path) -> "Predictor":
        model, metadata = load_model(directory)
        return cls(model, metadata)

    def predict(self, documents: Sequence[Document], with_citations: bool = False,
                with_metadata: bool = False) -> list[dict[str, Any]]:
        """``with_citations``/``with_metadata`` add the optional ``citations`` (model.citations) and
        ``metadata`` (model.extract: court, circuit, date, judge, docket, defendant) fields.

        scikit-learn's per-call checks are skipped (thread-locally): the features are our own,
        always finite, and the estimators' parameters were checked when they were fitted. The
        checks ran dozens of times a call, a fixed cost that dominated one-document calls."""
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return self._predict(documents, with_citations, with_metadata)

    def _predict(self, documents: Sequence[Document], with_citations: bool,
                 with_metadata: bool) -> list[dict[str, Any]]:
        texts = [d.text for d in documents]
        if not texts:
            return []
        model = self.model
        disposition_classes = model.disposition_classes_
        schema_order = model.schema["disposition"]["labels"]
        order = sorted(((c, k) for k, c in enumerate(disposition_classes)),
                       key=lambda ck: schema_order.index(ck[0]) if ck[0] in schema_order else len(schema_order))
        spans = [sentence_spans(text) for text in texts]  # split once, for the ranker and the evidence
        ranked = model.rank_ruling_sentences(texts, spans=spans)
        p_disposition = model.predict_disposition_proba(texts, ranked=ranked)
        p_reasons = model.predict_reasons_proba(texts)
        p_motion = model.predict_motion_type_proba(texts)
        motion_classes = model.motion_type_classes_
        ruling_spans = [model.ruling_spans(r) for r in ranked]
        disposition_evidence = self._disposition_evidence(texts, ruling_spans, p_disposition.argmax(axis=1))
        reason_hits = p_reasons >= model.reason_thresholds_
        reason_evidence = self._reason_evidence(texts, spans, reason_hits)

        results = []
        for i, document in enumerate(documents):
            top = int(p_disposition[i].argmax())
            disposition = disposition_classes[top]
            confidence = float(p_disposition[i, top])
            needs_review = bool(disposition == self.unknown or confidence < model.review_threshold_
                                or not ruling_spans[i])
            reasons = [
                {"label": label, "probability": round(float(p_reasons[i, j]), 4),
                 "evidence": reason_evidence[i].get(label, [])}
                for j, label in enumerate(model.reason_labels_) if reason_hits[i, j]]
            reasons.sort(key=lambda r: -r["probability"])
            results.append({
                "id": document.id,
                "disposition": disposition,
                "disposition_probabilities": {c: round(float(p_disposition[i, k]), 4) for c, k in order},
                "disposition_evidence": disposition_evidence[i],
                "reasons": reasons,
                "motion_type": motion_classes[int(p_motion[i].argmax())],
                "motion_type_probability": round(float(p_motion[i].max()), 4),
                "needs_review": needs_review,
                "model_version": self.model_version,
            })
        if with_citations:
            from model.citations import find_citations
            for row, text in zip(results, texts):
                row["citations"] = find_citations(text)
        if with_metadata:
            from model.extract import extract_metadata
            for row, text in zip(results, texts):
                row["metadata"] = extract_metadata(text)
        return results

    def _disposition_evidence(self, texts, ruling_spans, top_index) -> list[list[dict]]:
        """The sentences the model reads as the court's ruling; none when it predicts unknown."""
        classes = self.model.disposition_classes_
        return [[] if classes[top] == self.unknown else [_quote(text, span) for span in spans]
                for text, spans, top in zip(texts, ruling_spans, top_index)]

    def _reason_evidence(self, texts, spans, hits: np.ndarray) -> list[dict[str, list[dict]]]:
        """For each predicted reason, the sentences that score highest for it alone."""
        out: list[dict[str, list[dict]]] = [{} for _ in texts]
        wanted = [i for i in range(len(texts)) if hits[i].any()]
        flat = [(i, span) for i in wanted for span in spans[i]]
        if not flat:
            return out
        proba = self.model.predict_reason_sentences_proba([texts[i][s.start:s.end] for i, s in flat])
        rows_by_doc: dict[int, list[int]] = {}
        for row, (i, _) in enumerate(flat):
            rows_by_doc.setdefault(i, []).append(row)
        for i, rows in rows_by_doc.items():
            for j in np.nonzero(hits[i])[0]:
                scores = proba[rows, j]
                order = np.argsort(-scores)[:MAX_REASON_EVIDENCE]
                label = self.model.reason_labels_[j]
                out[i][label] = [_quote(texts[i], flat[rows[k]][1]) for k in order
                                 if scores[k] >= 0.5 * scores[order[0]]]
        return out


def _quote(text: str, span: Span) -> dict[str, Any]:
    return {"text": text[span.start:span.end], "start": span.start, "end": span.end}


def predict_texts(predictor: Predictor, items: Iterable[tuple[str | None, str]]) -> list[dict[str, Any]]:
    return predictor.predict([Document(id=i, text=t) for i, t in items])
