import numpy as np
import skops.io as sio

from model.features import (CompactTfidfVectorizer, KeywordCounter, KeywordFeatures, RulingSentenceSelector,
                            is_ruling_sentence, required_literal)
from model.locate import RulingSentenceLocator
from model.schema import load_schema

SCHEMA = load_schema()


def test_keyword_counter_counts_each_label_in_one_pass():
    counter = KeywordCounter({"a": [r"\bdeny\b", r"\bdenied\b"], "b": [r"\bgrant\b"], "empty": []})
    assert counter.labels == ["a", "b"]
    assert counter.counts("Deny it; it is denied, not grant.").tolist() == [2.0, 1.0]
    assert not counter.any("nothing here")


def test_ruling_sentence_needs_a_frame_and_no_case_citation():
    counter = KeywordCounter(SCHEMA.disposition_keywords)
    assert is_ruling_sentence("The motion for compassionate release is DENIED.", counter)
    assert not is_ruling_sentence("United States v. Doe, 990 F.3d 100 (2d Cir. 2021) (denying relief).", counter)
    assert not is_ruling_sentence("He was sentenced to 120 months.", counter)
    # a parenthetical about another case does not make a ruling sentence
    assert not is_ruling_sentence("See Doe (denying release to a defendant with asthma).", counter)


def test_selector_reads_only_the_opening_and_closing_windows():
    middle = "Another court denied a similar motion. " * 200
    text = "The motion is granted. " + middle + "IT IS ORDERED that the motion is GRANTED."
    selector = RulingSentenceSelector(keywords=SCHEMA.disposition_keywords, window_chars=300)
    chosen = [text[s.start:s.end] for s in selector.select_spans(text)]
    assert chosen[0] == "The motion is granted."
    assert chosen[-1] == "IT IS ORDERED that the motion is GRANTED."
    assert all("Another court" not in c for c in chosen[:1] + chosen[-1:])


def test_keyword_features_mark_first_last_and_empty():
    features = KeywordFeatures(keywords={"g": [r"grant"], "d": [r"den"]}).fit([""])
    X = features.transform(["grant \n|| den", ""]).toarray()
    names = list(features.get_feature_names_out())
    row = dict(zip(names, X[0]))
    assert row["all:g"] == np.log1p(1) and row["first:g"] == np.log1p(1) and row["first:d"] == 0
    assert row["last:d"] == np.log1p(1) and row["empty"] == 0
    assert dict(zip(names, X[1]))["empty"] == np.log1p(1)


def test_fast_patterns_match_exactly_what_the_rules_say():
    import re

    from model.features import fast_pattern, lowercase_pattern

    assert fast_pattern(r"\bgrant(?:s|ed)?\b") == r"grant(?<=\bgrant)(?:s|ed)?\b"
    assert fast_pattern(r"\bparents?\b") == r"parent(?<=\bparent)s?\b"
    assert fast_pattern(r"\b(?:30|thirty)") == r"\b(?:30|thirty)"
    assert lowercase_pattern(r"1B1\.13\S\B") == r"1b1\.13\S\B"
    text = "Granted. GRANTS the regrant; grants-in-part; Parent, parents and grandparents; 1B1.13(b)(6)."
    for rule in [r"\bgrant(?:s|ed)?\b", r"\bparents?\b", r"1B1\.13\(b\)\(6\)"]:
        counter = KeywordCounter({"x": [rule]})
        assert counter.counts(text)[0] == len(re.findall(rule, text, re.IGNORECASE)) > 0


def test_locator_context_of_a_long_opinion_is_its_opening_and_closing_windows():
    opening = "ORDER. The defendant moves for compassionate release. The motion is DENIED. "
    middle = "In another case the court denied a motion for lack of jurisdiction. " * 400
    closing = "It is ORDERED that the motion is DENIED."
    long_text = opening + middle + closing
    locator = RulingSentenceLocator(keywords=SCHEMA.disposition_keywords, window_chars=500).fit([long_text])
    short, long_ = locator.transform(["The motion is DENIED.", long_text])["text"]
    assert short == "The motion is DENIED."
    assert long_.startswith(opening) and long_.endswith(closing)
    assert len(long_) <= 2 * 500 + 2  # bounded: a longer opinion does not inflate keyword counts


def test_compact_vectorizer_saves_its_vocabulary_as_one_string_and_loads_the_same():
    texts = ["The motion is denied.", "The motion is granted in part.", "Denied as moot."]
    fitted = CompactTfidfVectorizer(ngram_range=(1, 2), min_df=1).fit(texts)
    data = sio.dumps(fitted)
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert loaded.vocabulary_ == fitted.vocabulary_
    assert (loaded.transform(texts) != fitted.transform(texts)).nnz == 0
    state = loaded.__getstate__()
    assert "vocabulary_" not in state and "stop_words_" not in state
    assert isinstance(state["_vocabulary_terms"], str)


def test_required_literal_is_in_every_match():
    assert required_literal("exhaust(?<=\\bexhaust)") == "exhaust"
    assert required_literal("\\b(?:30|thirty)[- ]days?\\b") == "day"
    assert required_literal("3553\\s?\\(a\\)") == "3553"
    assert required_literal("(?:grant|deny)") == ""  # no literal at the top level: always run
    counter = KeywordCounter({"covid_19": ["\\bcovid"], "age": ["\\b\\d{2}[- ]years?[- ]old\\b"]})
    assert counter.counts("A 67-year-old man with COVID-19 concerns; covid again.").tolist() == [2, 1]
    assert counter.counts("Nothing here.").tolist() == [0, 0]
