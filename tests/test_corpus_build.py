"""Corpus building: text clean-up, HTML text, duplicate detection, folder reading, the build
itself (provenance, merging, the report) and its command. Documents are written by the tests."""
from __future__ import annotations

import json

import pytest

from make_documents import write_html, write_pdf
from motion_outcome.cli import main
from training.build.builder import build_corpus
from training.build.cleanup import clean_text, join_hyphenated, normalize_whitespace, remove_repeated_edges
from training.build.dedupe import find_duplicates, jaccard, shingles
from training.build.html_text import text_from_html
from training.corpus import read_corpus
from training.sources.existing import read_existing
from training.sources.folder import read_folder

BODY = ("The defendant moves for compassionate release under 18 U.S.C. § 3582(c)(1)(A), citing his "
        "diabetes and the risk of COVID-19 at his facility. The government opposes the motion. The court "
        "finds that the defendant has exhausted his administrative remedies but has not shown extraordinary "
        "and compelling reasons, and the § 3553(a) factors weigh against release.")


def test_whitespace_is_normalized_but_paragraphs_stay():
    raw = "  ORDER\r\n\r\n\r\n\tThe  motion\u00a0is  DENIED.\u00ad \n\n\n\nSo ordered.\ufb01  "
    assert normalize_whitespace(raw) == "ORDER\n\nThe motion is DENIED.\n\nSo ordered.fi"


def test_line_break_hyphens_are_joined_but_real_hyphens_kept():
    assert join_hyphenated("extraordi-\nnary and compel-\n  ling") == "extraordinary and compelling"
    assert join_hyphenated("Section 3582(c)(1)(A)-\nBased") == "Section 3582(c)(1)(A)-\nBased"
    assert join_hyphenated("a well-known rule") == "a well-known rule"


def test_repeated_page_headers_and_footers_are_removed_not_body_lines():
    pages = []
    for n in range(1, 5):
        pages.append(f"Case 2:21-cr-20001 Document 40 Filed 05/02/23 Page {n} of 4\n"
                     f"Body line {'abcd'[n - 1]} of page {n}, with its own words.\nMore text here {n}.\n- {n} -")
    text = "\f".join(pages)
    cleaned = remove_repeated_edges(text)
    assert "Document 40" not in cleaned and "- 3 -" not in cleaned
    for n in range(1, 5):
        assert f"of page {n}, with its own words." in cleaned and f"More text here {n}." in cleaned


def test_a_line_repeated_twice_only_is_not_taken_for_a_header():
    text = "United States v. Doe\nfirst page text\n\nUnited States v. Doe\nsecond page text"
    assert remove_repeated_edges(text) == text


def test_html_text_keeps_sentences_whole_and_drops_page_chrome():
    html = ("<html><head><title>t</title><script>x()</script></head><body><nav>Menu</nav>"
            "<div><p>The motion is <a href='#'>DENIED</a> for the reasons below.</p><p>Second<br>line</p></div>"
            "<footer>site footer</footer></body></html>")
    text = normalize_whitespace(text_from_html(html))
    assert text == "The motion is DENIED for the reasons below.\n\nSecond\nline"


def test_exact_and_near_duplicates_are_found_and_different_texts_are_not():
    other = ("This contract dispute concerns late delivery of grain to a mill in Ohio; the buyer seeks "
             "damages and the seller says the weather excused it. Judgment is entered for the seller.")
    near = BODY.replace("The government opposes the motion.", "The United States filed a response.") + " SO ORDERED."
    texts = [BODY, other, BODY.upper().replace(" ", "  "), near]
    found = {(d.original, d.duplicate): d for d in find_duplicates(texts, threshold=0.5)}
    assert set(found) == {(0, 2), (0, 3)}
    assert found[(0, 2)].kind == "exact" and found[(0, 3)].kind == "near"
    assert found[(0, 3)].similarity == round(jaccard(shingles(BODY), shingles(near)), 4) >= 0.5
    assert find_duplicates([BODY, other]) == []


@pytest.fixture()
def mixed_folder(tmp_path):
    folder = tmp_path / "decisions"
    (folder / "kansas").mkdir(parents=True)
    (folder / "kansas" / "smith.txt").write_text(
        "ORDER\n\n" + BODY.replace("extraordinary", "extraordi-\nnary") + "\n\nThe motion is DENIED.", encoding="utf-8")
    write_pdf(folder / "jones.pdf",
              ["MEMORANDUM AND ORDER\n\nDefendant Jones, 71 years old, asks for a reduction of his sentence.",
               "He cares for his mother, who is bedridden. The court finds extraordinary and compelling reasons.",
               "The motion for compassionate release is GRANTED and the sentence is reduced to time served."],
              header="Case 2:21-cr-20001-JAR Document 40 Filed 05/02/23 Page {page} of {pages}",
              footer="- {page} -")
    write_html(folder / "web" / "lee.html", "United States v. Lee",
               ["Lee moved for compassionate release before waiting 30 days after asking the warden.",
                "Because he has not exhausted his remedies, the motion is DISMISSED without prejudice."])
    (folder / "notes.docx").write_bytes(b"ignored: not a decision format")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    return folder


def test_folder_reads_txt_pdf_html_and_reports_what_it_cannot(mixed_folder):
    items = list(read_folder(mixed_folder))
    docs = {d.id: d for d in items if not isinstance(d, Exception)}
    errors = [e for e in items if isinstance(e, Exception)]
    assert set(docs) == {"kansas/smith", "jones", "web/lee"}
    assert len(errors) == 1 and "broken.pdf" in str(errors[0]) and "corrupt" in str(errors[0])
    assert docs["jones"].provenance["format"] == "pdf" and docs["jones"].provenance["path"].endswith("jones.pdf")


def test_build_writes_a_corpus_with_provenance_that_read_corpus_accepts(mixed_folder, tmp_path):
    out = tmp_path / "corpus.jsonl"
    report = build_corpus([read_folder(mixed_folder)], out)
    corpus = read_corpus(out)
    texts = {r.id: r.text for r in corpus.records}
    assert set(texts) == {"kansas/smith", "jones", "web/lee"} and report.written == 3
    assert "extraordinary and compelling" in texts["kansas/smith"]
    assert "Document 40" not in texts["jones"] and "- 2 -" not in texts["jones"]
    assert "GRANTED" in texts["jones"] and "bedridden" in texts["jones"]
    assert "DISMISSED without prejudice" in texts["web/lee"] and "Menu" not in texts["web/lee"]
    assert "Home | Search" not in texts["web/lee"] and "tracking" not in texts["web/lee"]
    for record in corpus.records:
        source = record.fields["provenance"]
        assert source["source"] == "folder" and source["path"] and source["retrieved_at"]
        assert len(source["sha256"]) == 64 and len(source["text_sha256"]) == 64
    assert len(report.skipped) == 1 and "broken.pdf" in report.skipped[0]


def test_the_same_decision_from_two_sources_is_merged_keeping_labels_and_both_provenances(mixed_folder, tmp_path):
    labeled = tmp_path / "labeled.jsonl"
    smith_text = clean_text((mixed_folder / "kansas" / "smith.txt").read_text())
    labeled.write_text(json.dumps({"id": "lab-1", "text": smith_text + " It is so ordered.", "disposition": "denied",
                                   "reasons": ["medical_condition"], "motion_type": "compassionate_release",
                                   "source_url": "https://example.org/smith"}) + "\n")
    out = tmp_path / "corpus.jsonl"
    report = build_corpus([read_folder(mixed_folder), read_existing(labeled)], out)
    records = {r.id: r for r in read_corpus(out).records}
    assert "kansas/smith" not in records and records["lab-1"].label("disposition") == "denied"
    (copy,) = records["lab-1"].fields["duplicates"]
    assert copy["id"] == "kansas/smith" and copy["kind"] == "near" and copy["provenance"]["source"] == "folder"
    assert records["lab-1"].fields["provenance"]["url"] == "https://example.org/smith"
    assert report.duplicates == [{"kept": "lab-1", "merged": [{"id": "kansas/smith", "kind": "near",
                                                               "similarity": copy["similarity"]}]}]


def test_clashing_ids_from_two_sources_are_renamed_and_reported(tmp_path):
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    a.write_text(json.dumps({"id": "x", "text": BODY}) + "\n")
    b.write_text(json.dumps({"id": "x", "text": "A different order about supervised release, terminated early."}) + "\n")
    report = build_corpus([read_existing(a), read_existing(b)], tmp_path / "out.jsonl")
    assert [r.id for r in read_corpus(tmp_path / "out.jsonl").records] == ["x", "x~2"]
    assert report.renamed == [{"id": "x", "renamed_to": "x~2", "source": "corpus"}]


def test_corpus_build_command_writes_corpus_and_report(mixed_folder, tmp_path, capsys):
    out = tmp_path / "built.jsonl"
    assert main(["corpus", "build", "--folder", str(mixed_folder), "--out", str(out)]) == 0
    report = json.loads((tmp_path / "built.jsonl.report.json").read_text())
    assert report["written"] == 3 and report["by_source"] == {"folder": 3} and len(report["skipped"]) == 1
    assert len(read_corpus(out).records) == 3
    assert "skipped" in capsys.readouterr().err


def test_corpus_build_without_sources_says_so(tmp_path):
    with pytest.raises(SystemExit, match="nothing to build from"):
        main(["corpus", "build", "--out", str(tmp_path / "x.jsonl")])
