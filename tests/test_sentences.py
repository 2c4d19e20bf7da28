from model.sentences import sentence_spans


def texts(text):
    return [text[s.start:s.end] for s in sentence_spans(text)]


def test_spans_quote_the_text_verbatim():
    text = "First sentence here.  Second one follows!\n\nA third? Yes."
    spans = sentence_spans(text)
    assert [text[s.start:s.end] for s in spans] == ["First sentence here.", "Second one follows!", "A third?", "Yes."]


def test_legal_abbreviations_do_not_end_sentences():
    text = "See United States v. Jones, 123 F.3d 456 (S.D.N.Y. 2020). The motion is denied."
    assert texts(text) == ["See United States v. Jones, 123 F.3d 456 (S.D.N.Y. 2020).", "The motion is denied."]


def test_citation_to_code_and_initials_stay_whole():
    text = "Relief under 18 U.S.C. § 3582 was sought by J. Smith. It is denied."
    assert texts(text) == ["Relief under 18 U.S.C. § 3582 was sought by J. Smith.", "It is denied."]


def test_heading_lines_stand_alone():
    wrapped = "Defendant moved for release under the statute in May. He is held at a\nfacility in Ohio."
    text = "Case No. 1:20-cr-1\n11-09-2020\nORDER DENYING DEFENDANT'S MOTION FOR RELEASE\n" + wrapped
    assert texts(text) == ["Case No. 1:20-cr-1", "11-09-2020", "ORDER DENYING DEFENDANT'S MOTION FOR RELEASE",
                           "Defendant moved for release under the statute in May.",
                           "He is held at a\nfacility in Ohio."]


def test_overlong_runs_are_cut_and_empty_text_has_no_sentences():
    assert sentence_spans("") == []
    assert sentence_spans("   \n ") == []
    spans = sentence_spans("word " * 1000, max_chars=500)
    assert all(s.end - s.start <= 500 for s in spans) and len(spans) >= 9
