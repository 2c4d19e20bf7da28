"""Citations found in short texts written for these tests: verbatim spans, kinds, normalized fields."""
from __future__ import annotations

from model.citations import KINDS, find_citations

TEXT = ("The Court may reduce a term under 18 U.S.C. § 3582(c)(1)(A) after considering 28 U.S.C. § 994(t), "
        "28 C.F.R. § 571.60 and the policy statement, U.S.S.G. § 1B1.13(b)(6). See United States v. Brooker, "
        "976 F.3d 228, 237 (2d Cir. 2020). Id. at 236. Brooker, 976 F.3d at 235. Amendment 821 lowered his range; "
        "USSG §2D1.1 set it.")


def by_kind(citations, kind):
    return [c for c in citations if c["kind"] == kind]


def test_spans_are_verbatim_and_ordered():
    citations = find_citations(TEXT)
    assert citations
    for c in citations:
        assert TEXT[c["start"]:c["end"]] == c["text"]
        assert c["kind"] in KINDS
    assert [c["start"] for c in citations] == sorted(c["start"] for c in citations)


def test_statutes_regulations_and_cases():
    citations = find_citations(TEXT)
    statutes = {c["authority"] for c in by_kind(citations, "statute")}
    assert {"18 U.S.C. § 3582", "28 U.S.C. § 994"} <= statutes
    assert by_kind(citations, "regulation")[0]["section"] == "571.60"
    (case,) = by_kind(citations, "case")
    assert (case["authority"], case["court"], case["year"], case["defendant"]) == ("976 F.3d 228", "ca2", "2020", "Brooker")


def test_short_forms_resolve_to_their_case():
    references = by_kind(find_citations(TEXT), "case_reference")
    assert len(references) == 2
    assert {r["authority"] for r in references} == {"976 F.3d 228"}


def test_guidelines_and_amendments():
    citations = find_citations(TEXT)
    guidelines = by_kind(citations, "guideline")
    assert [g["section"] for g in guidelines] == ["1B1.13", "2D1.1"]
    assert guidelines[0]["pin_cite"] == "(b)(6)" and guidelines[0]["authority"] == "U.S.S.G. § 1B1.13"
    assert [a["number"] for a in by_kind(citations, "guideline_amendment")] == ["821"]


def test_no_citations_in_plain_text():
    assert find_citations("The motion is denied.") == []
    assert find_citations("") == []
