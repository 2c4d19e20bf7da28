"""scikit-learn transformers that know where in a decision things are said.

A decision mentions granting and denying many things (earlier rulings, other motions, the cases it
cites), while its own disposition is stated in one or two sentences near the start ("For the
reasons below, the motion is DENIED") or the end ("ORDERED that the motion ... is DENIED").
``RulingSentenceSelector`` keeps only sentences that look like such statements, from the opening
and closing windows of the text, so that the classifier sees the sentences that matter, however
long the decision is.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from model.sentences import Span, sentence_spans

SENTENCE_SEPARATOR = " \n|| "

# Phrases that frame a sentence as the court's own ruling on a request.
_FRAME = (r"\b(?:motions?|petitions?|requests?|applications?|relief|ordered|court|"
          r"i\s+(?:shall|will|must)|we)\b")
# Parentheticals describing other cases ("(denying release to ...)") are not this court's ruling.
_CITING_PARENTHETICAL = (r"\((?:denying|granting|dismissing|finding|holding|affirming|reversing|"
                         r"vacating|noting|explaining|citing|quoting|concluding|rejecting)\b[^()]*\)")
_REPORTER_CITATION = (r"\b\d+\s+(?:F\.\s?(?:\d[a-z]{1,2}|Supp\.?(?:\s?\d[a-z]{1,2})?)|S\.\s?Ct\.|U\.S\.|"
                      r"F\.\s?App'x|L\.\s?Ed\.(?:\s?2d)?)\s+\d+|\b\d{4}\s+WL\s+\d+")


def _compile_any(patterns: Iterable[str]) -> re.Pattern | None:
    patterns = list(patterns)
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None


class RulingSentenceSelector(BaseEstimator, TransformerMixin):
    """Map each text to the sentences that state a ruling, joined by ``SENTENCE_SEPARATOR``.

    A sentence is kept when it uses a disposition keyword (from the label schema) in a ruling
    frame and is not a case citation. Only the first and last ``window_chars`` characters are
    searched: the middle of a long opinion discusses other cases.
    """

    def __init__(self, keywords: Mapping[str, Sequence[str]] | None = None, window_chars: int = 4000,
                 max_sentences: int = 8):
        self.keywords = keywords
        self.window_chars = window_chars
        self.max_sentences = max_sentences

    def fit(self, X, y=None):
        return self

    def _patterns(self):
        # Compiled lazily and not stored as fitted state, so the persisted object stays plain data.
        cached = getattr(self, "_compiled", None)
        if cached is None or cached[0] != id(self.keywords):
            keyword_re = _compile_any(p for ps in (self.keywords or {}).values() for p in ps)
            cached = (id(self.keywords), keyword_re, re.compile(_FRAME, re.IGNORECASE),
                      re.compile(_CITING_PARENTHETICAL, re.IGNORECASE), re.compile(_REPORTER_CITATION))
            self._compiled = cached
        return cached[1:]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_compiled", None)
        return state

    def select_spans(self, text: str) -> list[Span]:
        keyword_re, frame_re, parenthetical_re, citation_re = self._patterns()
        if keyword_re is None:
            return []
        n = len(text)
        w = self.window_chars
        windows = [(0, n)] if n <= 2 * w else [(0, w), (n - w, n)]
        chosen: list[Span] = []
        for lo, hi in windows:
            for span in sentence_spans(text[lo:hi]):
                sentence = parenthetical_re.sub(" ", text[lo + span.start:lo + span.end])
                if citation_re.search(sentence) or not keyword_re.search(sentence):
                    continue
                if frame_re.search(sentence):
                    chosen.append(Span(lo + span.start, lo + span.end))
        if len(chosen) > self.max_sentences:  # keep the opening and closing statements
            half = self.max_sentences // 2
            chosen = chosen[:half] + chosen[-(self.max_sentences - half):]
        return chosen

    def transform(self, X):
        return [SENTENCE_SEPARATOR.join(text[s.start:s.end] for s in self.select_spans(text))
                for text in X]


class KeywordFeatures(BaseEstimator, TransformerMixin):
    """log(1 + count) of each label's keyword rules, over the whole input and its first and last
    sentence (sentences separated by ``SENTENCE_SEPARATOR``), plus an 'empty input' indicator.

    These are the label schema's keyword rules used as features: the classifier learns how much
    to trust each one, instead of the rules deciding.
    """

    def __init__(self, keywords: Mapping[str, Sequence[str]] | None = None, positional: bool = True):
        self.keywords = keywords
        self.positional = positional

    def fit(self, X, y=None):
        self.labels_ = list((self.keywords or {}).keys())
        return self

    def _regexes(self):
        cached = getattr(self, "_compiled", None)
        if cached is None:
            cached = [_compile_any(self.keywords[label]) for label in self.labels_]
            self._compiled = cached
        return cached

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_compiled", None)
        return state

    def get_feature_names_out(self, input_features=None):
        parts = ["all"] + (["first", "last"] if self.positional else [])
        names = [f"{part}:{label}" for part in parts for label in self.labels_]
        return np.asarray(names + ["empty"], dtype=object)

    def transform(self, X):
        regexes = self._regexes()
        rows = []
        for text in X:
            parts = [text]
            if self.positional:
                sentences = text.split(SENTENCE_SEPARATOR) if text else [""]
                parts += [sentences[0], sentences[-1]]
            row = [len(rx.findall(part)) if rx is not None else 0 for part in parts for rx in regexes]
            row.append(0 if text.strip() else 1)
            rows.append(row)
        return sparse.csr_matrix(np.log1p(np.asarray(rows, dtype=np.float64)))


class OpeningText(BaseEstimator, TransformerMixin):
    """The first ``chars`` characters: what motion is decided is said at the start."""

    def __init__(self, chars: int = 3000):
        self.chars = chars

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [text[: self.chars] for text in X]
