"""The three prediction heads as scikit-learn pipelines, and the model that fits them together.

- disposition: ruling sentences -> word n-grams + keyword features -> logistic regression,
  calibrated (sigmoid, out-of-fold) so its probabilities can drive ``needs_review``;
- reasons: windows of the text -> word n-grams + keyword features -> one logistic regression per
  reason, all with one decision threshold; a text scores the highest of its windows;
- motion type: opening of the text -> word n-grams -> logistic regression.

Thresholds (the reasons', and the review threshold on the disposition probability) are chosen on
out-of-fold predictions over the training data, grouped so that copies of one decision never sit
on both sides of a fold.
"""
from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.extmath import safe_sparse_dot
from threadpoolctl import ThreadpoolController

from model.features import CompactTfidfVectorizer, KeywordFeatures, OpeningText
from model.locate import RulingSentenceLocator
from model.schema import LabelSchema
from model.sentences import Span


def build_disposition_pipeline(schema: LabelSchema, folds: int = 5) -> CalibratedClassifierCV:
    """Reads the frame made by ``RulingSentenceLocator.transform`` (columns ``focus``,
    ``ruling_score`` and ``text``): the locator is fitted first, on evidence quotes, and runs once
    per text. The rest of the text (its opening and closing windows) contributes only keyword
    counts (context: 'jurisdiction', 'moot'), never its n-grams, which speak of every other
    ruling the decision mentions. Every input is bounded in length, so a full opinion gives
    features of the size the (often shorter) training texts gave.
    ``cv`` is an int here; ``MotionOutcomeModel.fit`` swaps in grouped splits while fitting."""
    keywords = schema.disposition_keywords
    base = Pipeline([
        ("features", ColumnTransformer([
            ("ngrams", CompactTfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True, min_df=2), "focus"),
            ("keywords", KeywordFeatures(keywords=keywords), "focus"),
            ("context", KeywordFeatures(keywords=keywords, positional=False), "text"),
            ("ruling_score", "passthrough", ["ruling_score"]),
        ])),
        ("classify", LogisticRegression(C=10.0, class_weight="balanced", solver="newton-cg", max_iter=5000)),
    ])
    return CalibratedClassifierCV(base, method="sigmoid", ensemble=False, cv=folds)


def build_reasons_pipeline(schema: LabelSchema) -> Pipeline:
    """``dual=True``: with far more n-gram features than texts, liblinear's dual solver reaches the
    same optimum as the primal one in a small fraction of the time (most of training, before)."""
    return Pipeline([
        ("features", FeatureUnion([
            ("ngrams", CompactTfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.9)),
            ("keywords", KeywordFeatures(keywords=schema.reason_keywords, positional=False)),
        ])),
        ("classify", OneVsRestClassifier(
            LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear", dual=True, max_iter=5000,
                               random_state=0))),
    ])


def build_motion_type_pipeline() -> Pipeline:
    return Pipeline([
        ("opening", OpeningText(chars=3000)),
        ("ngrams", CompactTfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
        ("classify", LogisticRegression(C=10.0, class_weight="balanced", solver="newton-cg", max_iter=5000)),
    ])


class MotionOutcomeModel(BaseEstimator):
    """All three heads, fitted together on one labeled corpus.

    ``schema`` is the label schema as a plain dict (``LabelSchema.to_dict()``), so the fitted
    model carries it. ``review_precision`` is the disposition accuracy that predictions not
    flagged for review should reach; the probability threshold that achieves it is learned from
    out-of-fold predictions. ``reason_window_chars``: long texts are scored for reasons window
    by window (the training texts are decision openings of about this size), keeping the
    highest probability per reason.
    """

    def __init__(self, schema: dict | None = None, folds: int = 5, seed: int = 0,
                 review_precision: float = 0.98, reason_window_chars: int = 2500):
        self.schema = schema
        self.folds = folds
        self.seed = seed
        self.review_precision = review_precision
        self.reason_window_chars = reason_window_chars

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, texts, dispositions, reasons, motion_types, groups=None, evidence=None, progress=None):
        """``evidence``: per text, the verbatim sentence that states the disposition (or None);
        without any, ruling sentences are found by the schema's keyword rules.

        BLAS runs on one thread (``one_blas_thread``); the floating-point sums, so the saved model
        and its version, then also do not depend on how many cores the machine has."""
        with one_blas_thread():
            return self._fit(texts, dispositions, reasons, motion_types, groups, evidence, progress)

    def _fit(self, texts, dispositions, reasons, motion_types, groups, evidence, progress):
        say = progress or (lambda message: None)
        schema = LabelSchema.from_dict(self.schema)
        texts = list(texts)
        dispositions = np.asarray(dispositions, dtype=object)
        groups = np.arange(len(texts)) if groups is None else np.asarray(groups)
        splits = list(StratifiedGroupKFold(n_splits=self.folds, shuffle=True, random_state=self.seed)
                      .split(texts, dispositions, groups))

        evidence = np.asarray(evidence if evidence is not None else [None] * len(texts), dtype=object)
        teaches = teaches_locator(evidence, dispositions, schema.unknown_disposition)
        locator = RulingSentenceLocator(keywords=schema.disposition_keywords)
        say("ruling sentences: learning from evidence quotes, fold by fold")
        frame = cross_fitted_frame(locator, texts, evidence, teaches, splits)
        self.locator_ = locator.fit(_rows(texts, np.nonzero(teaches)[0]), evidence[teaches])

        say("disposition: out-of-fold predictions for the review threshold")
        disposition = build_disposition_pipeline(schema, self.folds)
        classes = np.array(sorted(set(dispositions)), dtype=object)
        oof = out_of_fold_proba(disposition, frame, dispositions, splits, classes)
        self.review_threshold_ = choose_review_threshold(
            oof, classes, dispositions, schema.unknown_disposition, self.review_precision)
        say("disposition: final fit")
        disposition.set_params(cv=splits)
        self.disposition_ = disposition.fit(frame, dispositions)
        self.disposition_.set_params(cv=self.folds)  # the splits were data, not a setting to keep

        say("reasons: out-of-fold predictions for the reason threshold")
        binarizer = MultiLabelBinarizer(classes=list(schema.reasons))
        y_reasons = binarizer.fit_transform(reasons)
        reasons_pipe = build_reasons_pipeline(schema)
        oof_reasons = out_of_fold_multilabel(reasons_pipe, texts, y_reasons, splits)
        self.reason_thresholds_ = choose_shared_threshold(oof_reasons, y_reasons)
        say("reasons: final fit")
        self.reasons_ = reasons_pipe.fit(texts, y_reasons)

        say("motion type: fit")
        self.motion_type_ = build_motion_type_pipeline().fit(texts, list(motion_types))
        return self

    # -- prediction: the interface ``model.predict.Predictor`` relies on ------------------------
    @property
    def disposition_classes_(self) -> list[str]:
        return [str(c) for c in self.disposition_.classes_]

    @property
    def reason_labels_(self) -> list[str]:
        return list(self.schema["reasons"]["labels"])

    @property
    def motion_type_classes_(self) -> list[str]:
        return [str(c) for c in self.motion_type_.classes_]

    def rank_ruling_sentences(self, texts, spans=None) -> list[list[tuple[Span, float]]]:
        """Per text, its candidate sentences with the probability that each states the ruling.
        ``spans``: each text's ``sentence_spans``, when the caller has them already."""
        return self.locator_.score_sentences(list(texts), spans)

    def ruling_spans(self, ranked: list[tuple[Span, float]], min_score: float = 0.5) -> list[Span]:
        """The sentences that state a ruling (best first): the disposition's evidence."""
        return [span for span, score in ranked[: self.locator_.top_k] if score >= min_score]

    def predict_reason_sentences_proba(self, sentences) -> np.ndarray:
        """Reason probabilities of short pieces scored alone (no windowing): for evidence."""
        return self._reasons_proba(list(sentences))

    def predict_disposition_proba(self, texts, ranked=None) -> np.ndarray:
        """``ranked``: ``rank_ruling_sentences(texts)``, when the caller has it already."""
        return self.disposition_.predict_proba(self.locator_.transform(list(texts), ranked=ranked))

    def predict_reasons_proba(self, texts) -> np.ndarray:
        """Highest probability per reason over the text's windows."""
        return max_over_windows(list(texts), self.reason_window_chars, self._reasons_proba,
                                len(self.reason_labels_))

    def predict_motion_type_proba(self, texts) -> np.ndarray:
        return self.motion_type_.predict_proba(list(texts))

    def _reasons_proba(self, pieces: list[str]) -> np.ndarray:
        """``self.reasons_.predict_proba(pieces)``, as one product with the reason heads' stacked
        weights: the same numbers (bitwise, checked on the corpus) without a call per head, each
        checking its input again, which took a quarter of a one-document prediction."""
        stacked = self._stacked_reason_weights()
        if stacked is None:  # heads that are not one binary logistic regression per label
            return self.reasons_.predict_proba(pieces)
        weights_t, intercepts = stacked
        features = self.reasons_[:-1].transform(pieces)
        return expit(safe_sparse_dot(features, weights_t, dense_output=True) + intercepts)

    def _stacked_reason_weights(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Built once per fitted reason heads and never saved (see ``__getstate__``)."""
        heads = self.reasons_[-1]
        cached = self.__dict__.get("_stacked_reasons")
        if cached is None or cached[0] is not heads:
            linear = [_linear_head(e) for e in getattr(heads, "estimators_", [])]
            stacked = None
            width = next((len(h[0]) for h in linear if h is not None and h[0] is not None), 0)
            if getattr(heads, "multilabel_", False) and width and all(h is not None for h in linear):
                stacked = (np.ascontiguousarray(np.vstack([np.zeros(width) if coef is None else coef
                                                           for coef, _ in linear]).T),
                           np.array([intercept for _, intercept in linear]))
            cached = self.__dict__["_stacked_reasons"] = (heads, stacked)
        return cached[1]

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: the live object keeps its cache
        state.pop("_stacked_reasons", None)
        return state


def _linear_head(estimator) -> tuple[np.ndarray | None, float] | None:
    """One label's head of a one-vs-rest as (weights, intercept), or None if it is not linear.
    A label with one value in training gets scikit-learn's constant head: no weights, and an
    intercept of -inf or +inf, whose probability is exactly that value."""
    if type(estimator) is LogisticRegression and estimator.coef_.shape[0] == 1:
        return estimator.coef_[0], float(estimator.intercept_[0])
    if type(estimator).__name__ == "_ConstantPredictor":
        return None, np.inf if float(np.ravel(estimator.y_)[0]) == 1 else -np.inf
    return None


def max_over_windows(texts: list[str], size: int, score, n_columns: int) -> np.ndarray:
    """``score`` (pieces -> probabilities) applied to each text's windows; the maximum per column."""
    pieces, owner = [], []
    for i, text in enumerate(texts):
        for piece in text_windows(text, size):
            pieces.append(piece)
            owner.append(i)
    out = np.zeros((len(texts), n_columns))
    if pieces:
        np.maximum.at(out, np.asarray(owner, dtype=int), score(pieces))
    return out


def text_windows(text: str, size: int) -> list[str]:
    """Consecutive windows of about ``size`` characters, cut at white space."""
    if len(text) <= size * 1.5:
        return [text]
    windows, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            end = cut if cut > start else end
        windows.append(text[start:end])
        start = end
    return windows


@cache
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()  # built once: it inspects the loaded libraries


def one_blas_thread():
    """A context in which BLAS runs on one thread. The models' matrices are small, and OpenBLAS's
    extra threads mostly spin waiting on each other: with two threads, training took 3x longer
    while another job held one of two cores, and SGD updates spent 6.3-8.0 CPU-s instead of
    3.8-4.0 on 5,000 documents (same results)."""
    return _blas_controller().limit(limits=1, user_api="blas")


def teaches_locator(evidence, dispositions, unknown: str | None) -> np.ndarray:
    """Which texts the ruling-sentence locator may learn from: those whose ruling sentence is
    known, quoted, or absent because the text states no disposition. A decided record without a
    quote says nothing of where its ruling is."""
    return np.array([bool(e and str(e).strip()) or d == unknown for e, d in zip(evidence, dispositions)])


def cross_fitted_frame(locator, texts, evidence, teaches, splits) -> pd.DataFrame:
    """The locator's output for every text, each from a locator fitted without the text's fold.

    The disposition head learns from this, not from the final locator's output on its own
    training texts, which it scores too confidently: new texts will look like held-out ones.
    ``teaches``: which texts the locator may learn from (see ``MotionOutcomeModel.fit``)."""
    held_out = []
    for train_idx, test_idx in splits:
        taught = train_idx[teaches[train_idx]]
        fold_locator = clone(locator).fit(_rows(texts, taught), evidence[taught])
        held_out.append(fold_locator.transform(_rows(texts, test_idx)).set_index(test_idx))
    return pd.concat(held_out).sort_index()


def out_of_fold_proba(estimator, X, y, splits, classes) -> np.ndarray:
    """Out-of-fold probabilities of a single-label estimator, in ``classes`` order."""
    out = np.zeros((len(y), len(classes)))
    for train_idx, test_idx in splits:
        out[test_idx] = _aligned_proba(clone(estimator).fit(_rows(X, train_idx), y[train_idx]),
                                       _rows(X, test_idx), classes)
    return out


def _rows(X, index):
    return X.iloc[index] if hasattr(X, "iloc") else [X[i] for i in index]


def _aligned_proba(fitted, X, classes) -> np.ndarray:
    """Probabilities in ``classes`` order (a fold may lack a rare class: its column stays 0)."""
    proba = fitted.predict_proba(X)
    out = np.zeros((proba.shape[0], len(classes)))
    out[:, [list(classes).index(c) for c in fitted.classes_]] = proba
    return out


def out_of_fold_multilabel(estimator, texts, y, splits) -> np.ndarray:
    """Out-of-fold probabilities of a multi-label estimator, one column per label."""
    out = np.zeros(y.shape, dtype=float)
    for train_idx, test_idx in splits:
        out[test_idx] = clone(estimator).fit(_rows(texts, train_idx), y[train_idx]).predict_proba(
            _rows(texts, test_idx))
    return out


def choose_review_threshold(proba: np.ndarray, classes, truth, unknown: str | None,
                            precision: float) -> float:
    """The lowest top-probability threshold at which the predictions kept (not flagged) are
    correct at least ``precision`` of the time. Predicting ``unknown`` always flags."""
    predicted = classes[proba.argmax(axis=1)]
    top = proba.max(axis=1)
    candidates = predicted != unknown if unknown is not None else np.ones(len(top), bool)
    order = np.argsort(-top[candidates])
    correct = (predicted == truth)[candidates][order]
    tops = top[candidates][order]
    if len(tops) == 0:
        return 1.0
    running = np.cumsum(correct) / np.arange(1, len(correct) + 1)
    ok = np.nonzero(running >= precision)[0]
    if len(ok) == 0:
        return 1.0
    # keep the largest prefix whose accuracy reaches the target; cut between it and the next
    k = ok[-1]
    return float(tops[k]) if k + 1 >= len(tops) else float((tops[k] + tops[k + 1]) / 2)


def choose_shared_threshold(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """One micro-F1-optimal threshold for every label (1.0 for a label with no positive), not one
    per label: chosen per label on a few dozen positives, thresholds fit noise. On the corpus's
    train split, nested out of fold, it gave micro-F1 0.789 and macro-F1 0.744 against 0.777 and
    0.722 (``python bench/reason_thresholds.py``, two fold seeds)."""
    present = truth.sum(axis=0) > 0
    return np.where(present, shared_f1_threshold(scores, truth), 1.0)


def shared_f1_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The micro-F1-optimal threshold over the labels that have a positive."""
    present = truth.sum(axis=0) > 0
    if not present.any():
        return 1.0
    return choose_f1_threshold(scores[:, present].ravel(), truth[:, present].ravel())


def choose_f1_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    grid = np.linspace(0.05, 0.95, 91)
    best, best_f1 = 0.5, -1.0
    for t in grid:
        pred = scores >= t
        tp = np.sum(pred & (truth == 1))
        f1 = 2 * tp / max(1, pred.sum() + truth.sum())
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best
