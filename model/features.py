"""scikit-learn transformers and helpers that know where in a decision things are said.

A decision mentions granting and denying many things (earlier rulings, other motions, the cases it
cites), while its own disposition is stated in one or two sentences near the start ("For the
reasons below, the motion is DENIED") or the end ("ORDERED that the motion ... is DENIED").
The keyword rules of the label schema find sentences that may be such statements; the model
(``model.locate``) learns which of them are.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

try:  # the parser behind re, public as sre_parse up to Python 3.10
    from re import _parser as _regex_parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _regex_parser

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer

from model.sentences import Span, sentence_spans

SENTENCE_SEPARATOR = " \n|| "

# Phrases that frame a sentence as the court's own ruling on a request.
_FRAME = re.compile(r"\b(?:motions?|petitions?|requests?|applications?|relief|ordered|court|"
                    r"i\s+(?:shall|will|must)|we)\b", re.IGNORECASE)
# Parentheticals describing other cases ("(denying release to ...)") are not this court's ruling.
_CITING_PARENTHETICAL = re.compile(
    r"\((?:denying|granting|dismissing|finding|holding|affirming|reversing|vacating|noting|"
    r"explaining|citing|quoting|concluding|rejecting)\b[^()]*\)", re.IGNORECASE)
_REPORTER_CITATION = re.compile(
    r"\b\d+\s+(?:F\.\s?(?:\d[a-z]{1,2}|Supp\.?(?:\s?\d[a-z]{1,2})?)|S\.\s?Ct\.|U\.S\.|"
    r"F\.\s?App'x|L\.\s?Ed\.(?:\s?2d)?)\s+\d+|\b\d{4}\s+WL\s+\d+")


def lowercase_pattern(pattern: str) -> str:
    """The pattern for lower-cased text: literal letters lowered, escapes (``\\S``, ``\\B``) kept."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)


_LEADING_LITERAL = re.compile(r"\\b([a-z0-9' -]+)")


def fast_pattern(pattern: str) -> str:
    """``\\bword...`` as ``word(?<=\\bword)...``: the same matches, but ``re`` can then skip ahead
    to the literal prefix instead of trying the pattern at every position (about 10x faster)."""
    match = _LEADING_LITERAL.match(pattern)
    if not match:
        return pattern
    literal, rest = match.group(1), pattern[match.end():]
    if rest[:1] in ("?", "*", "+", "{"):  # the quantifier binds the literal's last character
        literal, rest = literal[:-1], literal[-1] + rest
    if len(literal) < 2:
        return pattern
    return f"{literal}(?<=\\b{literal}){rest}"


def required_literal(pattern: str) -> str:
    """The longest run of literal characters at the top level of ``pattern``: text in which it
    does not occur holds no match ('' when there is no such run, or the pattern sets flags that
    could change what a literal matches)."""
    try:
        tree = _regex_parser.parse(pattern)
    except re.error:
        return ""
    if tree.state.flags & ~re.UNICODE:
        return ""
    runs, run = [], []
    for op, arg in tree:
        if op is _regex_parser.LITERAL:
            run.append(chr(arg))
        elif run:
            runs.append("".join(run))
            run = []
    runs.append("".join(run))
    return max(runs, key=len)


class KeywordCounter:
    """Counts matches of each label's rules (case-insensitive) in a text.

    Not an estimator: a compiled view of a keyword mapping, rebuilt from that mapping on demand,
    so that persisted estimators hold only the mapping itself. The text is lower-cased once; a
    rule runs only where its required literal occurs (a substring test, far cheaper than the
    regular expression, and most rules find nothing in most sentences), and then with a literal
    prefix, which ``re`` searches fast.
    """

    def __init__(self, keywords: Mapping[str, Sequence[str]] | None):
        self.labels = [label for label, patterns in (keywords or {}).items() if patterns]
        patterns = [(i, fast_pattern(lowercase_pattern(p)))
                    for i, label in enumerate(self.labels) for p in keywords[label]]
        self.rules = [(i, required_literal(p), re.compile(p)) for i, p in patterns]

    def counts(self, text: str) -> np.ndarray:
        out = np.zeros(len(self.labels))
        lowered = text.lower()
        for i, literal, rule in self.rules:
            if literal in lowered:
                out[i] += len(rule.findall(lowered))
        return out

    def any(self, text: str) -> bool:
        lowered = text.lower()
        return any(literal in lowered and rule.search(lowered) is not None for _, literal, rule in self.rules)


def is_ruling_sentence(sentence: str, counter: KeywordCounter) -> bool:
    """A disposition keyword in a ruling frame, outside citations of other cases."""
    sentence = _CITING_PARENTHETICAL.sub(" ", sentence)
    return (counter.any(sentence) and _FRAME.search(sentence) is not None
            and _REPORTER_CITATION.search(sentence) is None)


class _CachedCounter:
    """Mixin: a ``KeywordCounter`` for ``self.keywords``, built once and never persisted."""

    def _counter(self) -> KeywordCounter:
        cached = self.__dict__.get("_keyword_counter")
        if cached is None or cached[0] is not self.keywords:
            cached = (self.keywords, KeywordCounter(self.keywords))
            self.__dict__["_keyword_counter"] = cached
        return cached[1]

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: the live object keeps its cache
        state.pop("_keyword_counter", None)
        return state


class RulingSentenceSelector(_CachedCounter, BaseEstimator, TransformerMixin):
    """Map each text to the sentences that the keyword rules call rulings (the rule-only view,
    used by the keyword baseline and when no evidence quotes exist to learn from).

    Only the first and last ``window_chars`` characters are searched: the middle of a long
    opinion discusses other cases.
    """

    def __init__(self, keywords: Mapping[str, Sequence[str]] | None = None, window_chars: int = 4000,
                 max_sentences: int = 8):
        self.keywords = keywords
        self.window_chars = window_chars
        self.max_sentences = max_sentences

    def fit(self, X, y=None):
        return self

    def select_spans(self, text: str) -> list[Span]:
        counter = self._counter()
        n, w = len(text), self.window_chars
        windows = [(0, n)] if n <= 2 * w else [(0, w), (n - w, n)]
        chosen = [Span(lo + s.start, lo + s.end) for lo, hi in windows for s in sentence_spans(text[lo:hi])
                  if is_ruling_sentence(text[lo + s.start:lo + s.end], counter)]
        if len(chosen) > self.max_sentences:  # keep the opening and closing statements
            half = self.max_sentences // 2
            chosen = chosen[:half] + chosen[-(self.max_sentences - half):]
        return chosen

    def transform(self, X):
        return [SENTENCE_SEPARATOR.join(text[s.start:s.end] for s in self.select_spans(text)) for text in X]


class KeywordFeatures(_CachedCounter, BaseEstimator, TransformerMixin):
    """log(1 + count) of each label's keyword rules, over the whole input and (``positional``)
    its first and last sentence (sentences separated by ``SENTENCE_SEPARATOR``), plus an
    'empty input' indicator.

    These are the label schema's keyword rules used as features: the classifier learns how much
    to trust each one, instead of the rules deciding.
    """

    def __init__(self, keywords: Mapping[str, Sequence[str]] | None = None, positional: bool = True):
        self.keywords = keywords
        self.positional = positional

    def fit(self, X, y=None):
        self.labels_ = self._counter().labels
        return self

    def get_feature_names_out(self, input_features=None):
        parts = ["all"] + (["first", "last"] if self.positional else [])
        names = [f"{part}:{label}" for part in parts for label in self.labels_]
        return np.asarray(names + ["empty"], dtype=object)

    def transform(self, X):
        counter = self._counter()
        rows = []
        for text in X:
            row = [counter.counts(text)]
            if self.positional:
                sentences = text.split(SENTENCE_SEPARATOR) if text else [""]
                row += [counter.counts(sentences[0]),
                        counter.counts(sentences[-1]) if len(sentences) > 1 else row[-1] * 0]
            rows.append(np.concatenate(row + [[0.0 if text.strip() else 1.0]]))
        return sparse.csr_matrix(np.log1p(np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)))


class _ReproducibleState:
    """Mixin for scikit-learn's text vectorizers: ``stop_words_`` (every pruned term, kept only
    for introspection and documented as safe to remove) and the id()-valued ``_stop_words_id``
    (set by ``transform``, different on every run) are not saved, so one fitted model always
    saves to the same bytes and gets the same version."""

    def __getstate__(self):
        state = dict(super().__getstate__())
        for attribute in ("stop_words_", "_stop_words_id"):
            state.pop(attribute, None)
        return state


class StableHashingVectorizer(_ReproducibleState, HashingVectorizer):
    """scikit-learn's ``HashingVectorizer``, saved reproducibly (see ``_ReproducibleState``)."""


class CompactTfidfVectorizer(_ReproducibleState, TfidfVectorizer):
    """scikit-learn's ``TfidfVectorizer``, saved compactly and reproducibly.

    skops stores a dict as one JSON node per item: the vocabularies made 60 MB of schema that
    took seconds to write and to read. Saved here as its terms in column order, one string, and
    rebuilt on load.
    """

    _TERMS = "_vocabulary_terms"
    _SEPARATOR = "\n"  # never inside a term: the default token pattern splits at white space

    def __getstate__(self):
        state = super().__getstate__()
        vocabulary = state.get("vocabulary_")
        if vocabulary is not None and not any(self._SEPARATOR in term for term in vocabulary):
            terms = sorted(vocabulary, key=vocabulary.__getitem__)
            if [vocabulary[t] for t in terms] == list(range(len(terms))):  # columns 0..n-1
                del state["vocabulary_"]
                state[self._TERMS] = self._SEPARATOR.join(terms)
        return state

    def __setstate__(self, state):
        state = dict(state)
        terms = state.pop(self._TERMS, None)
        if terms is not None:
            state["vocabulary_"] = {term: i for i, term in enumerate(terms.split(self._SEPARATOR))} if terms else {}
        super().__setstate__(state)


class OpeningText(BaseEstimator, TransformerMixin):
    """The first ``chars`` characters: what motion is decided is said at the start."""

    def __init__(self, chars: int = 3000):
        self.chars = chars

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [text[: self.chars] for text in X]
