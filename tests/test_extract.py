"""Metadata extraction on short texts written for these tests: found where the text shows it,
None where it does not (never a guess from a cited court, a sentencing date or another judge)."""
from __future__ import annotations

import json

import pytest

from model.extract import extract_metadata, find_court, find_date, find_defendant, find_docket, find_judge
from model.extract.court import COURTS_PATH, court_table

CAPTION = """Case No. 2:19-cr-00123-ABC
UNITED STATES DISTRICT COURT
FOR THE WESTERN DISTRICT OF MICHIGAN
UNITED STATES OF AMERICA, Plaintiff,
v.
JOHN Q. PUBLIC, Defendant.
Signed March 3, 2021
OPINION AND ORDER
JANE E. DOE, UNITED STATES DISTRICT JUDGE
Defendant was sentenced on June 1, 2015 by the Eastern District of Kentucky. See Smith v. Jones,
1 F.4th 2 (6th Cir. 2021); Roe v. Wade, 2020 WL 1 (S.D.N.Y. Apr. 2, 2020). The motion is denied.
"""


def test_court_table_has_every_district_and_circuit():
    raw = json.loads(COURTS_PATH.read_text())
    assert len(raw["districts"]) == 94
    assert len({d["abbreviation"] for d in raw["districts"]}) == 94
    circuits = {c["abbreviation"] for c in raw["circuits"]}
    assert {d["circuit"] for d in raw["districts"]} <= circuits
    table = court_table()
    assert table.lookup("Southern District of New York").abbreviation == "S.D.N.Y."
    assert table.lookup("S.D.W. Va.").abbreviation == "S.D. W. Va."
    assert table.lookup("District of the Virgin Islands").circuit == "3d Cir."


def test_full_caption():
    meta = extract_metadata(CAPTION)
    assert meta == {"court": "W.D. Mich.", "circuit": "6th Cir.", "date": "2021-03-03", "judge": "Jane E. Doe",
                    "docket": "2:19-cr-00123-ABC", "defendant": "John Q. Public"}


def test_nothing_found_is_none():
    text = "The motion is denied because the defendant has not shown extraordinary and compelling reasons."
    assert extract_metadata(text) == dict.fromkeys(("court", "circuit", "date", "judge", "docket", "defendant"))


@pytest.mark.parametrize("text, expected", [
    ("United States District Court, E.D. Wisconsin.\nSigned May 3, 2021", "E.D. Wis."),
    ("Court: U.S. District Court \u2014 District of Kansas | Date: Jan. 26, 2021", "D. Kan."),
    ("IN THE UNITED STATES DISTRICT COURT\nFOR THE DISTRICT OF COLUMBIA\n", "D.D.C."),
    ("IN THE UNITED STATES COURT OF APPEALS FOR THE NINTH CIRCUIT\n", "9th Cir."),
    ("Jane Roe, Office of the U.S. Attorney, District Of Maine, Bangor, ME, for the government.", "D. Me."),
    ("The motion was decided on the papers pursuant to E.D. Mich. LR 7.1(f)(2).", "E.D. Mich."),
])
def test_court_where_the_text_names_it(text, expected):
    assert find_court(text).abbreviation == expected


@pytest.mark.parametrize("text", [
    "See United States v. Smith, 2020 WL 12345 (D. Md. May 1, 2020) (granting release).",
    "He was sentenced in the Northern District of Indiana and later moved to this district to serve his term.",
    "The Sixth Circuit has held that the policy statement does not bind district courts.",
    "The United States Attorney for the District of Kansas and the United States Attorney for the District of Utah both appeared.",
])
def test_court_not_guessed_from_citations_or_background(text):
    assert find_court(text) is None


@pytest.mark.parametrize("text, expected", [
    ("No. 1:20-cr-1\n09-15-2020\nORDER", "2020-09-15"),
    ("Filed: Apr. 26, 2016", "2016-04-26"),
    ("IT IS SO ORDERED this 5th day of May, 2021.", "2021-05-05"),
    ("Case 1:16-cr-1 Document 45 Filed 11/17/16 Page 1 of 9", "2016-11-17"),
    ("Decided: 2022-10-14", "2022-10-14"),
])
def test_date(text, expected):
    assert find_date(text) == expected


@pytest.mark.parametrize("text", [
    "On December 15, 2006, Defendant was sentenced to 188 months.",
    "His motion (Doc. 199), filed on July 14, 2020, is before the Court.",
    "Judgment was entered on May 3, 2019.",
    "02-30-2020\n",
])
def test_date_not_taken_from_background(text):
    assert find_date(text) is None


@pytest.mark.parametrize("text, expected", [
    ("ORDER\nTERRENCE Q. NORTH, UNITED STATES DISTRICT JUDGE\n", "Terrence Q. North"),
    ("Alma B. West Chief United States District Judge\nPending", "Alma B. West"),
    ("MEMORANDUM\nKANE, J.\nOn April 20", "Kane"),
    ("ROBERT W. EAST, Judge\nBefore the Court", "Robert W. East"),
    ("Signed by District Judge R. Leon South on 10/14/22.", "R. Leon South"),
    ("/s/_________\nJoseph F. Anders, Jr.\nUnited States District Judge", "Joseph F. Anders, Jr."),
    ("JUDGE MARY A. BROOK OPINION AND ORDER\nThis matter", "Mary A. Brook"),
    ("JOHN McCAIN, JR., UNITED STATES DISTRICT JUDGE", "John McCain, Jr."),
])
def test_judge(text, expected):
    assert find_judge(text) == expected


@pytest.mark.parametrize("text", [
    "At sentencing, the Honorable Jane Roe, United States District Judge, imposed 120 months.",
    "Before: SMITH, JONES, and LEE, Circuit Judges.",
    "A district judge has discretion to deny the motion.",
])
def test_judge_not_taken_from_prose_or_panels(text):
    assert find_judge(text) is None


@pytest.mark.parametrize("text, expected", [
    ("CRIMINAL ACTION 5:18-CR-00005-KDB-DCK-1\n08-06-2021", "5:18-CR-00005-KDB-DCK-1"),
    ("17-CR-424 (PKC)\n01-13-2022\nMEMORANDUM & ORDER", "17-CR-424 (PKC)"),
    ("No. CR-98-16-B-W.\nORDER", "CR-98-16-B-W"),
    ("Case No.: 8:18-cr-474-T-33TGW\nORDER", "8:18-cr-474-T-33TGW"),
])
def test_docket(text, expected):
    assert find_docket(text) == expected


@pytest.mark.parametrize("text", ["His motion (Dkt. No. 24) is DENIED.", "09-15-2020\nORDER", "See ECF No. 66 at 3."])
def test_docket_entries_and_dates_are_not_case_numbers(text):
    assert find_docket(text) is None


@pytest.mark.parametrize("text, expected", [
    ("UNITED STATES OF AMERICA,\nPlaintiff,\nv.\nJAMES AARON JACOB,\nDefendant.\n", "James Aaron Jacob"),
    ("RONALD HUNT, Movant, v. UNITED STATES OF AMERICA, Respondent.", "Ronald Hunt"),
    ("United States v. Dufresne, Criminal No. 18-cr-042-LM\nORDER", "Dufresne"),
    ("UNITED STATES OF AMERICA v. JOSE LUIS PEREZ a/k/a \"Primo,\" Defendant.", "Jose Luis Perez"),
    ("ORDER\nThis matter is before the Court on Defendant Walker's Motion for Compassionate Release.", "Walker"),
])
def test_defendant(text, expected):
    assert find_defendant(text) == expected


def test_defendant_not_taken_from_a_cited_case():
    assert find_defendant("See United States v. Brooker, 976 F.3d 228 (2d Cir. 2020).") is None
