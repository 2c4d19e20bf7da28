"""A model trained one chunk at a time, for corpora larger than memory.

The in-memory ``MotionOutcomeModel`` learns a vocabulary (TF-IDF) and cross-validates over all
records at once. Here every transformer is stateless (hashed n-grams and the schema's keyword
features) and every classifier learns by ``partial_fit``, so memory depends on the chunk size and
``n_features``, never on the number of records.

As in the in-memory model, a ranker learns from the records' evidence quotes which sentence states
the ruling, and the disposition head reads the two best sentences and the best one's score. Each
chunk is ranked before the ranker learns from it, so on the first pass the disposition head sees
rankings of texts the ranker has not seen, as new texts will be. Until the ranker has seen enough
quotes (or when the corpus has none), the schema's keyword rules choose the sentences.

Thresholds cannot come from out-of-fold predictions without holding the corpus. Instead a fixed
share of decision groups (chosen by hashing the group, so copies of one decision stay together)
is held out of training, a bounded reservoir sample of them is kept, and after the last chunk the
review threshold, the reason threshold and a probability temperature are chosen on it.
``finish`` then keeps only what prediction needs (the learners' weights, see ``LinearWeights``),
so a finished model is small and loads fast, and cannot be trained further.
The prediction interface is the one ``model.predict.Predictor`` relies on.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.linear_model import SGDClassifier

from model.features import (SENTENCE_SEPARATOR, KeywordFeatures, OpeningText, RulingSentenceSelector,
                            StableHashingVectorizer)
from model.locate import MIN_EVIDENCE, candidate_sentences, evidence_overlap, rank_spans, sentence_cues
from model.pipeline import (choose_review_threshold, max_over_windows, one_blas_thread, shared_f1_threshold,
                            teaches_locator)
from model.schema import LabelSchema
from model.sentences import Span

# Sentences the disposition head reads when the ranker is learned (as MotionOutcomeModel's locator).
RULING_TOP_K = 2

# Fewer held-out reason positives than this (all reasons together) and the reasons keep the default
# threshold 0.5: an F1-optimal threshold on two or three examples is noise.
MIN_THRESHOLD_POSITIVES = 5

# texts, dispositions, reasons (lists of labels), motion types, groups (or None), and optionally
# evidence quotes (the sentence that shows the disposition, or None)
Chunk = tuple[Sequence[str], Sequence[str], Sequence[Sequence[str]], Sequence[str], Sequence[str] | None]


def _softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class LinearWeights:
    """Linear decision values ``X @ coef.T + intercept``, the only part of a fitted SGD learner
    that prediction needs (its averaging state is twice the size again).

    The weights are dense float32, stored transposed (one column per class) so that a sparse
    ``X`` multiplies them without a copy. Dense, because their size must not depend on the corpus:
    sparse weights grew as training texts reached more hashed columns (93% of them after 1M
    documents: 72 MB, against 25 MB dense). float32, because that halves the model and its saving;
    decision values move by less than 1e-4 (measured on 500 corpus texts, values up to 60)."""

    def __init__(self, coef, intercept):
        self.coef_t = np.ascontiguousarray(np.asarray(coef, dtype=np.float32).T)
        self.intercept = np.asarray(intercept, dtype=float)

    @classmethod
    def from_sgd(cls, classifier: SGDClassifier, rows: slice = slice(None)) -> "LinearWeights":
        """One row per class, also for two classes (where the learner keeps one)."""
        coef, intercept = np.asarray(classifier.coef_), np.asarray(classifier.intercept_)
        if len(classifier.classes_) == 2 and coef.shape[0] == 1:
            coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
        return cls(coef[rows], intercept[rows])

    @classmethod
    def stack(cls, heads: Sequence["LinearWeights"]) -> "LinearWeights":
        return cls(np.hstack([h.coef_t for h in heads]).T, np.concatenate([h.intercept for h in heads]))

    def scores(self, X) -> np.ndarray:
        X = sparse.csr_matrix(X, dtype=np.float32)
        return np.asarray(X @ self.coef_t, dtype=float) + self.intercept


def _fit_temperature(scores: np.ndarray, truth_index: np.ndarray) -> float:
    """The temperature that minimises held-out log loss: one number, so a small sample suffices."""
    if len(truth_index) < 20:
        return 1.0

    def nll(log_t: float) -> float:
        p = _softmax(scores, float(np.exp(log_t)))
        return float(-np.mean(np.log(p[np.arange(len(p)), truth_index] + 1e-12)))

    return float(np.exp(minimize_scalar(nll, bounds=(-4.0, 4.0), method="bounded").x))


class _Reservoir:
    """A uniform sample of at most ``size`` items from a stream of unknown length (Algorithm R)."""

    def __init__(self, size: int, seed: int):
        self.size, self.items, self.seen = size, [], 0
        self.rng = np.random.default_rng(seed)

    def offer(self, item) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
        else:
            j = int(self.rng.integers(0, self.seen))
            if j < self.size:
                self.items[j] = item


class StreamingMotionOutcomeModel(BaseEstimator):
    """All three heads, learned chunk by chunk with SGD (logistic loss).

    ``schema``: the label schema as a dict (``LabelSchema.to_dict()``). ``n_features``: hashed
    n-gram columns per head (memory and model size grow with it, not with the corpus).
    ``epochs``: passes over the stream (more than one needs a re-iterable source, see ``fit``).
    ``holdout_fraction`` of decision groups is held out for thresholds, at most ``holdout_size``
    records of it kept. ``review_precision`` and ``reason_window_chars``: as in
    ``MotionOutcomeModel``.
    """

    def __init__(self, schema: dict | None = None, n_features: int = 2 ** 18, alpha: float = 1e-4,
                 average: bool | int = True,
                 epochs: int = 5, holdout_fraction: float = 0.1, holdout_size: int = 2000,
                 review_precision: float = 0.98, reason_window_chars: int = 2500, seed: int = 0):
        self.schema = schema
        self.n_features = n_features
        self.alpha = alpha
        self.average = average
        self.epochs = epochs
        self.holdout_fraction = holdout_fraction
        self.holdout_size = holdout_size
        self.review_precision = review_precision
        self.reason_window_chars = reason_window_chars
        self.seed = seed

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, chunks: Iterable[Chunk] | Callable[[], Iterable[Chunk]], progress=None):
        """Learn from ``chunks`` (tuples of texts, dispositions, reasons, motion types, groups).
        With ``epochs > 1`` pass a callable that returns a fresh iterable on each call."""
        say = progress or (lambda message: None)
        if self.epochs > 1 and not callable(chunks):
            raise TypeError("epochs > 1 needs chunks as a callable returning a fresh iterable per pass")
        self.start()
        for epoch in range(self.epochs):
            done = 0
            for chunk in (chunks() if callable(chunks) else chunks):
                done += self.partial_fit(*chunk, first_pass=epoch == 0)
            say(f"epoch {epoch + 1}/{self.epochs}: trained on {done} records "
                f"({self.n_held_out_} held out for thresholds)")
        return self.finish(progress=say)

    def start(self) -> "StreamingMotionOutcomeModel":
        """Fresh, unfitted heads; ``partial_fit`` calls follow, then ``finish``."""
        schema = LabelSchema.from_dict(self.schema)
        hashed = dict(n_features=self.n_features, alternate_sign=False, norm="l2")
        self.selector_ = RulingSentenceSelector(keywords=schema.disposition_keywords)
        self.disposition_ngrams_ = StableHashingVectorizer(ngram_range=(1, 3), **hashed)
        self.disposition_keywords_ = KeywordFeatures(keywords=schema.disposition_keywords).fit([])
        self.reason_ngrams_ = StableHashingVectorizer(ngram_range=(1, 2), **hashed)
        self.reason_keywords_ = KeywordFeatures(keywords=schema.reason_keywords, positional=False).fit([])
        self.opening_ = OpeningText(chars=3000)
        self.motion_ngrams_ = StableHashingVectorizer(ngram_range=(1, 2), **hashed)

        def sgd(offset: int) -> SGDClassifier:
            return SGDClassifier(loss="log_loss", alpha=self.alpha, average=self.average, random_state=self.seed + offset)

        self.disposition_clf_ = sgd(0)
        self.reason_clfs_ = [sgd(1 + j) for j in range(len(schema.reasons))]
        self.motion_type_clf_ = sgd(100)
        self.ruling_ngrams_ = StableHashingVectorizer(ngram_range=(1, 2), **hashed)
        self.ruling_clf_ = sgd(200)  # learns which sentence states the ruling, from evidence quotes
        self._ruling_counts = np.zeros(2)  # sentences seen that are not / are the ruling
        self._disposition_labels = np.array(sorted(schema.dispositions))
        self._motion_labels = np.array(sorted(schema.motion_types))
        self._counts = {"disposition": np.zeros(len(self._disposition_labels)),
                        "motion_type": np.zeros(len(self._motion_labels)),
                        "reasons_pos": np.zeros(len(schema.reasons)), "n": 0}
        self._holdout = _Reservoir(self.holdout_size, self.seed)
        self._rng = np.random.default_rng(self.seed)
        self.n_trained_ = 0
        self.n_held_out_ = 0
        return self

    def held_out(self, group: str) -> bool:
        """Whether a decision group is kept out of training (same answer on every pass)."""
        bucket = int.from_bytes(hashlib.blake2b(f"{self.seed}:{group}".encode(), digest_size=4).digest(), "big")
        return bucket / 0xFFFFFFFF < self.holdout_fraction

    def partial_fit(self, texts, dispositions, reasons, motion_types, groups=None, evidence=None, *,
                    first_pass: bool = True) -> int:
        """Learn from one chunk; returns how many of its records were trained on. ``evidence``:
        each record's quote of its ruling sentence (None if unknown), to learn to find it."""
        texts = list(texts)
        groups = list(groups) if groups is not None else texts  # each text its own group
        keep = []
        for i, group in enumerate(groups):
            if self.held_out(group):
                if first_pass:
                    self.n_held_out_ += 1
                    self._holdout.offer((texts[i], dispositions[i], list(reasons[i]), motion_types[i]))
            else:
                keep.append(i)
        if not keep:
            return 0
        keep = self._rng.permutation(keep)  # SGD wants shuffled input; a chunk is a local shuffle
        texts = [texts[i] for i in keep]
        y_disp = np.asarray([str(dispositions[i]) for i in keep])
        y_motion = np.asarray([str(motion_types[i]) for i in keep])
        reason_labels = self.reason_labels_
        y_reasons = np.array([[label in set(reasons[i]) for label in reason_labels] for i in keep], dtype=int)

        counts = self._counts
        counts["n"] += len(keep)
        counts["disposition"] += [np.sum(y_disp == c) for c in self._disposition_labels]
        counts["motion_type"] += [np.sum(y_motion == c) for c in self._motion_labels]
        counts["reasons_pos"] += y_reasons.sum(axis=0)

        # The disposition head reads what the ruling-sentence ranker makes of these texts before
        # the ranker learns from them: on the first pass, as it will read new texts.
        # Candidate sentences are featurized once, for ranking and for learning.
        candidates = self._candidates(texts) if evidence is not None or self._ranks_learned() else None
        X_disp, X_reason, X_motion = self._training_features(texts, candidates)
        if evidence is not None:
            self._learn_ruling_sentences(texts, y_disp, [evidence[i] for i in keep], candidates)
        updates = [(self.disposition_clf_, X_disp, y_disp, self._disposition_labels,
                    self._balanced(y_disp, self._disposition_labels, counts["disposition"]))]
        for j, clf in enumerate(self.reason_clfs_):
            pos = counts["reasons_pos"][j]
            w_pos = counts["n"] / (2 * pos) if pos else 1.0
            w_neg = counts["n"] / (2 * (counts["n"] - pos)) if counts["n"] > pos else 1.0
            updates.append((clf, X_reason, y_reasons[:, j], np.array([0, 1]),
                            np.where(y_reasons[:, j] == 1, w_pos, w_neg)))
        updates.append((self.motion_type_clf_, X_motion, y_motion, self._motion_labels,
                        self._balanced(y_motion, self._motion_labels, counts["motion_type"])))
        for update in updates:
            self._update(*update)
        self.n_trained_ += len(keep) if first_pass else 0
        return len(keep)

    def _learn_ruling_sentences(self, texts, dispositions, quotes, candidates) -> None:
        unknown = self.schema["disposition"].get("unknown")
        per_text, X = candidates
        rows, labels, start = [], [], 0
        teaches = teaches_locator(quotes, dispositions, unknown)
        for text, spans, quote, disposition, ok in zip(texts, per_text, quotes, dispositions, teaches):
            if ok:
                rows += range(start, start + len(spans))
                labels += list(evidence_overlap(text, spans, quote if disposition != unknown else None))
            start += len(spans)
        if not rows:
            return
        y = np.asarray(labels)
        self._ruling_counts += [np.sum(y == 0), np.sum(y == 1)]
        n, seen = self._ruling_counts.sum(), self._ruling_counts
        weight = np.where(y == 1, n / (2 * max(1, seen[1])), n / (2 * max(1, seen[0])))
        self._update(self.ruling_clf_, X[np.asarray(rows)], y, np.array([0, 1]), weight)

    def _candidates(self, texts, spans=None) -> tuple[list[list[Span]], sparse.csr_matrix | None]:
        """Each text's candidate sentences, and their features, one row per sentence in order.
        ``spans``: each text's ``sentence_spans``, when the caller has them already."""
        window = self.selector_.window_chars
        found = [candidate_sentences(text, window, None if spans is None else spans[i]) for i, text in enumerate(texts)]
        sentences = [s for _, sents, _ in found for s in sents]
        positions = [p for _, _, pos in found for p in pos]
        per_text = [cands for cands, _, _ in found]
        return per_text, (self._sentence_features(sentences, positions) if sentences else None)

    def _rank(self, per_text, X) -> list[list[tuple[Span, float]]]:
        return rank_spans(per_text, self._ruling_proba(X) if X is not None else np.zeros(0))

    def _sentence_features(self, sentences, positions):
        return sparse.hstack([self.ruling_ngrams_.transform(sentences),
                              sentence_cues(sentences, positions, self.selector_._counter())], format="csr")

    def _ranks_learned(self) -> bool:
        """Whether sentences are ranked by the learned ranker (once it has seen enough evidence
        quotes) or by the keyword rules."""
        if hasattr(self, "ruling_weights_"):
            return self.ruling_weights_ is not None
        return self._ruling_counts[1] >= MIN_EVIDENCE and hasattr(self.ruling_clf_, "coef_")

    def _ruling_proba(self, X) -> np.ndarray:
        if hasattr(self, "ruling_weights_"):
            scores = self.ruling_weights_.scores(X)
            return expit(scores[:, 1] - scores[:, 0])
        return self.ruling_clf_.predict_proba(X)[:, 1]

    @staticmethod
    def _update(clf: SGDClassifier, X, y, classes, weight) -> None:
        with one_blas_thread():
            clf.partial_fit(X, y, classes=classes, sample_weight=weight)

    @staticmethod
    def _balanced(y: np.ndarray, labels: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """'balanced' class weights from the counts seen so far (partial_fit cannot take 'balanced')."""
        seen = counts > 0
        weights = np.where(seen, counts.sum() / (max(1, seen.sum()) * np.maximum(counts, 1)), 1.0)
        lookup = dict(zip(labels, weights))
        return np.array([lookup[v] for v in y])

    def finish(self, progress=None) -> "StreamingMotionOutcomeModel":
        """Choose thresholds and temperatures on the held-out sample, then drop the sample."""
        say = progress or (lambda message: None)
        if self.n_trained_ == 0:
            raise ValueError("no records were trained on (all held out?); lower holdout_fraction")
        held = self._holdout.items
        self._keep_weights_only()
        self.temperature_ = 1.0
        self.motion_temperature_ = 1.0
        self.review_threshold_ = 1.0
        trained_pos = self._counts["reasons_pos"] > 0
        self.reason_thresholds_ = np.where(trained_pos, 0.5, 1.0)
        if held:
            say(f"choosing thresholds on {len(held)} held-out records")
            texts = [h[0] for h in held]
            truth = np.asarray([h[1] for h in held], dtype=object)
            classes = np.asarray(self.disposition_classes_, dtype=object)
            index = {c: i for i, c in enumerate(classes)}
            scores, motion_scores, proba = self._held_out_scores(texts)
            self.temperature_ = _fit_temperature(scores, np.array([index[t] for t in truth]))
            schema = self.schema["disposition"]
            self.review_threshold_ = choose_review_threshold(
                _softmax(scores, self.temperature_), classes, truth, schema.get("unknown"), self.review_precision)
            motion_index = {c: i for i, c in enumerate(self.motion_type_classes_)}
            self.motion_temperature_ = _fit_temperature(motion_scores, np.array([motion_index[h[3]] for h in held]))
            y = np.array([[label in set(h[2]) for label in self.reason_labels_] for h in held], dtype=int)
            if y[:, trained_pos].sum() >= MIN_THRESHOLD_POSITIVES:  # one threshold, as the in-memory model
                shared = shared_f1_threshold(proba[:, trained_pos], y[:, trained_pos])
                self.reason_thresholds_ = np.where(trained_pos, shared, 1.0)
        else:
            say("warning: no held-out records; default thresholds (every prediction flagged for review)")
        self.n_threshold_records_ = len(held)
        for name in ("_holdout", "_rng", "_counts", "_disposition_labels", "_motion_labels", "_ruling_counts"):
            delattr(self, name)
        return self

    def _keep_weights_only(self) -> None:
        """Replace each SGD learner by its ``LinearWeights``, dropping the learner before the next is
        converted: a learner holds three weight-sized float64 arrays (averaging), so the end of
        training needs less memory than training did, whatever the corpus size."""
        self.disposition_labels_ = [str(c) for c in self.disposition_clf_.classes_]
        self.motion_type_labels_ = [str(c) for c in self.motion_type_clf_.classes_]
        self.disposition_weights_ = LinearWeights.from_sgd(self.disposition_clf_)
        del self.disposition_clf_
        self.motion_type_weights_ = LinearWeights.from_sgd(self.motion_type_clf_)
        del self.motion_type_clf_
        learned = self._ranks_learned()
        self.ruling_weights_ = LinearWeights.from_sgd(self.ruling_clf_) if learned else None
        del self.ruling_clf_
        clfs, self.reason_clfs_ = self.reason_clfs_, None
        positives = []
        while clfs:
            positives.append(LinearWeights.from_sgd(clfs.pop(0), slice(1, 2)))  # the positive class
        self.reason_weights_ = LinearWeights.stack(positives)
        del self.reason_clfs_

    def _held_out_scores(self, texts: list[str], batch_size: int = 500):
        """Disposition and motion-type decision values and reason probabilities of the held-out
        texts, computed a batch at a time (row by row, so the values are those of one call) so that
        the feature matrices of the whole sample never exist at once."""
        parts = []
        for lo in range(0, len(texts), batch_size):
            batch = texts[lo:lo + batch_size]
            parts.append((self.disposition_weights_.scores(self._disposition_features(batch)),
                          self.motion_type_weights_.scores(self._motion_features(batch)),
                          self.predict_reasons_proba(batch)))
        return tuple(np.concatenate(column) for column in zip(*parts))

    # -- features ------------------------------------------------------------------------------
    def _training_features(self, texts, candidates=None):
        """The disposition, reason and motion-type inputs of ``texts``, as ``_disposition_features``,
        ``_reason_features`` and ``_motion_features`` give them, with shared work done once: the
        motion head hashes the opening with the same settings as the reason head hashes the whole
        text, so for a text no longer than the opening (every text of the corpus we have) the two
        n-gram rows are the same, and are hashed once. ``candidates``: ``_candidates(texts)``, when
        the caller has it (it also teaches the ranker from it)."""
        ranked = self._rank(*candidates) if candidates is not None and self._ranks_learned() else None
        X_disp = self._disposition_features(texts, ranked)
        if self.motion_ngrams_.get_params() != self.reason_ngrams_.get_params():
            return X_disp, self._reason_features(texts), self._motion_features(texts)
        ngrams = self.reason_ngrams_.transform(texts)
        X_reason = sparse.hstack([ngrams, self.reason_keywords_.transform(texts)], format="csr")
        chars = self.opening_.chars
        longer = [i for i, text in enumerate(texts) if len(text) > chars]
        if not longer:
            return X_disp, X_reason, ngrams
        row = np.arange(len(texts))
        row[longer] = len(texts) + np.arange(len(longer))
        openings = self._motion_features([texts[i] for i in longer])
        return X_disp, X_reason, sparse.vstack([ngrams, openings], format="csr")[row]

    def _disposition_features(self, texts, ranked=None):
        """The ruling sentences' n-grams and keyword counts, and the best sentence's score."""
        ranked = self.rank_ruling_sentences(texts) if ranked is None else ranked
        focus = [self._focus(spans) for spans in ranked]
        selected = [SENTENCE_SEPARATOR.join(text[s.start:s.end] for s, _ in spans) for text, spans in zip(texts, focus)]
        best = np.array([[spans[0][1] if spans else 0.0] for spans in focus])
        return sparse.hstack([self.disposition_ngrams_.transform(selected),
                              self.disposition_keywords_.transform(selected), best], format="csr")

    def _focus(self, ranked: list[tuple[Span, float]]) -> list[tuple[Span, float]]:
        """What the disposition head reads: the best two sentences of the learned ranker, or every
        sentence the keyword rules chose."""
        return ranked[:RULING_TOP_K] if self._ranks_learned() else ranked

    def _reason_features(self, texts):
        return sparse.hstack([self.reason_ngrams_.transform(texts),
                              self.reason_keywords_.transform(texts)], format="csr")

    def _motion_features(self, texts):
        return self.motion_ngrams_.transform(self.opening_.transform(texts))

    # -- prediction: the interface ``model.predict.Predictor`` relies on ------------------------
    @property
    def disposition_classes_(self) -> list[str]:
        return list(self.disposition_labels_)

    @property
    def reason_labels_(self) -> list[str]:
        return list(self.schema["reasons"]["labels"])

    @property
    def motion_type_classes_(self) -> list[str]:
        return list(self.motion_type_labels_)

    def rank_ruling_sentences(self, texts, spans=None) -> list[list[tuple[Span, float]]]:
        """Per text, its candidate sentences with the probability that each states the ruling,
        best first; before the ranker has learned from enough evidence quotes (or if the corpus
        has none), the sentences the keyword rules read as the ruling, each scored 1.0.
        ``spans``: each text's ``sentence_spans``, when the caller has them already."""
        texts = list(texts)
        if not self._ranks_learned():
            return [[(span, 1.0) for span in self.selector_.select_spans(text)] for text in texts]
        return self._rank(*self._candidates(texts, spans))

    def ruling_spans(self, ranked: list[tuple[Span, float]], min_score: float = 0.5) -> list[Span]:
        return [span for span, score in self._focus(ranked) if score >= min_score]

    def predict_disposition_proba(self, texts, ranked=None) -> np.ndarray:
        """``ranked``: ``rank_ruling_sentences(texts)``, when the caller has it already."""
        texts = list(texts)
        return _softmax(self.disposition_weights_.scores(self._disposition_features(texts, ranked)),
                        getattr(self, "temperature_", 1.0))

    def predict_reason_sentences_proba(self, sentences) -> np.ndarray:
        return expit(self.reason_weights_.scores(self._reason_features(list(sentences))))

    def predict_reasons_proba(self, texts) -> np.ndarray:
        """Highest probability per reason over the text's windows."""
        return max_over_windows(list(texts), self.reason_window_chars, self.predict_reason_sentences_proba,
                                len(self.reason_labels_))

    def predict_motion_type_proba(self, texts) -> np.ndarray:
        texts = list(texts)
        return _softmax(self.motion_type_weights_.scores(self._motion_features(texts)),
                        getattr(self, "motion_temperature_", 1.0))
