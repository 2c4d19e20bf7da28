"""Find the sentence in which the court states its ruling, learned from labeled evidence quotes.

The corpus labels each disposition with the verbatim sentence that shows it. That is enough to
learn what a ruling sentence looks like ("For the reasons that follow, the motion is DENIED",
"the Court sustains defendant's motion", "I decline to exercise my discretion") and what it does
not ("the warden denied his request", "I denied the First Motion in 2020", "(denying release)").
The disposition head then reads only the best-ranked sentences, and the rank score itself tells
how clearly the text states a ruling at all.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression

from model.features import (SENTENCE_SEPARATOR, CompactTfidfVectorizer, KeywordCounter, _CachedCounter,
                            is_ruling_sentence)
from model.sentences import Span, sentence_spans

_WHITESPACE = re.compile(r"\s+")
MIN_EVIDENCE = 20  # fewer labeled quotes than this: rank by the keyword rules instead


def searched_text(text: str, window_chars: int) -> str:
    """The opening and closing windows (the whole text when it is short): what is read for
    context. Bounded so that a 60-page opinion gives keyword counts of the size training
    openings give, not ten times more of every word."""
    if len(text) <= 2 * window_chars:
        return text
    return text[:window_chars] + "\n\n" + text[-window_chars:]


def candidate_spans(text: str, window_chars: int, spans: list[Span] | None = None) -> list[Span]:
    """Every sentence of the opening and closing windows (the whole text when it is short).
    ``spans``: ``sentence_spans(text)``, when the caller has it already."""
    n = len(text)
    if n <= 2 * window_chars:
        return sentence_spans(text) if spans is None else spans
    head = sentence_spans(text[:window_chars])
    tail = [Span(n - window_chars + s.start, n - window_chars + s.end)
            for s in sentence_spans(text[n - window_chars:])]
    return head + tail


def candidate_sentences(text: str, window_chars: int, spans: list[Span] | None = None
                        ) -> tuple[list[Span], list[str], list[float]]:
    """``candidate_spans``, with each sentence's text and where it starts (0 = start, 1 = end)."""
    spans = candidate_spans(text, window_chars, spans)
    n = max(1, len(text))
    return spans, [text[s.start:s.end] for s in spans], [s.start / n for s in spans]


def rank_spans(per_text: Sequence[list[Span]], scores: np.ndarray) -> list[list[tuple[Span, float]]]:
    """Each text's spans with their scores (``scores`` has one per span, in order), best first."""
    out, k = [], 0
    for spans in per_text:
        out.append(sorted(zip(spans, scores[k:k + len(spans)].tolist()), key=lambda p: -p[1]))
        k += len(spans)
    return out


def _normalize(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip().lower()


def evidence_overlap(text: str, spans: Sequence[Span], quote: str | None) -> np.ndarray:
    """1 for the sentences that overlap where ``quote`` stands in ``text`` (white space folded)."""
    hits = np.zeros(len(spans), dtype=int)
    if not quote or not quote.strip():
        return hits
    needle = _normalize(quote)[:80]
    sentences = [_normalize(text[s.start:s.end]) for s in spans]
    for i, sentence in enumerate(sentences):
        if needle[:40] in sentence or (len(sentence) > 25 and sentence in _normalize(quote)):
            hits[i] = 1
    return hits


def sentence_cues(sentences: list[str], positions: list[float], counter: KeywordCounter) -> sparse.csr_matrix:
    """What besides its words marks a sentence as the ruling: the disposition keyword counts
    (capped at 3), whether the keyword rules call it a ruling, where it stands in the text
    (0 = start), how much of it is in capitals ("ORDER DENYING ...") and its length."""
    rows = []
    for sentence, position in zip(sentences, positions):
        shouting = sum(1 for w in sentence.split() if len(w) > 3 and w.isupper())
        rows.append(np.concatenate([
            np.minimum(counter.counts(sentence), 3),
            [is_ruling_sentence(sentence, counter), position, position ** 2, min(shouting, 5) / 5,
             min(len(sentence), 600) / 600]]))
    return sparse.csr_matrix(np.asarray(rows, dtype=float).reshape(len(rows), -1))


class RulingSentenceLocator(_CachedCounter, BaseEstimator, TransformerMixin):
    """Rank a text's sentences by how likely each one states the court's ruling on the motion.

    ``fit(texts, evidence)`` learns from evidence quotes (None where the text states no ruling:
    all its sentences are negatives). ``transform(texts)`` gives a DataFrame with ``focus`` (the
    ``top_k`` best sentences, best first), ``ruling_score`` (the best sentence's probability) and
    ``text`` (its opening and closing windows, for context such as a lack of jurisdiction
    argued in another sentence).
    """

    def __init__(self, keywords: Mapping[str, Sequence[str]] | None = None, window_chars: int = 4000,
                 top_k: int = 2, C: float = 4.0):
        self.keywords = keywords
        self.window_chars = window_chars
        self.top_k = top_k
        self.C = C

    # -- features of one sentence -------------------------------------------------------------
    def _cue_matrix(self, sentences: list[str], positions: list[float]) -> sparse.csr_matrix:
        return sentence_cues(sentences, positions, self._counter())

    def _features(self, sentences: list[str], positions: list[float]):
        return sparse.hstack([self.vectorizer_.transform(sentences),
                              self._cue_matrix(sentences, positions)]).tocsr()

    def _sentences(self, text: str, spans: list[Span] | None = None) -> tuple[list[Span], list[str], list[float]]:
        return candidate_sentences(text, self.window_chars, spans)

    # -- fitting and ranking ------------------------------------------------------------------
    def fit(self, X, y=None):
        texts = list(X)
        evidence = list(y) if y is not None else [None] * len(texts)
        sentences, positions, labels = [], [], []
        for text, quote in zip(texts, evidence):
            spans, sents, pos = self._sentences(text)
            sentences += sents
            positions += pos
            labels += list(evidence_overlap(text, spans, quote))
        labels = np.asarray(labels)
        self.learned_ = int(labels.sum()) >= MIN_EVIDENCE
        if self.learned_:
            self.vectorizer_ = CompactTfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
            self.vectorizer_.fit(sentences)
            self.classifier_ = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                                  random_state=0)
            self.classifier_.fit(self._features(sentences, positions), labels)
        return self

    def score_sentences(self, texts: Sequence[str], spans: Sequence[list[Span]] | None = None
                        ) -> list[list[tuple[Span, float]]]:
        """Each text's candidate sentences with their ruling probability, best first.
        ``spans``: each text's ``sentence_spans``, when the caller has them already."""
        per_text = [self._sentences(t, s) for t, s in zip(texts, spans if spans is not None else [None] * len(texts))]
        flat_sentences = [s for _, sents, _ in per_text for s in sents]
        flat_positions = [p for _, _, pos in per_text for p in pos]
        if not flat_sentences:
            return [[] for _ in texts]
        if self.learned_:
            scores = self.classifier_.predict_proba(self._features(flat_sentences, flat_positions))[:, 1]
        else:  # no evidence to learn from: a sentence the keyword rules call a ruling scores 1
            counter = self._counter()
            scores = np.array([float(is_ruling_sentence(s, counter)) for s in flat_sentences])
        return rank_spans([spans for spans, _, _ in per_text], scores)

    def transform(self, X, ranked: list | None = None) -> pd.DataFrame:
        """``ranked``: the output of ``score_sentences(X)`` when the caller has it already."""
        texts = list(X)
        focus, best = [], []
        for text, ranked in zip(texts, ranked if ranked is not None else self.score_sentences(texts)):
            top = ranked[: self.top_k]
            focus.append(SENTENCE_SEPARATOR.join(text[s.start:s.end] for s, _ in top))
            best.append(top[0][1] if top else 0.0)
        context = [searched_text(text, self.window_chars) for text in texts]
        return pd.DataFrame({"focus": focus, "ruling_score": best, "text": context})
