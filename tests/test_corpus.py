import json

import pytest

from model.schema import load_schema
from training.corpus import CorpusError, read_corpus

SCHEMA = load_schema()


def write_jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def good(i, **over):
    row = {"id": f"r{i}", "text": "The motion is denied.", "disposition": "denied", "reasons": ["covid_19"],
           "motion_type": "compassionate_release"}
    row.update(over)
    return row


def test_reads_jsonl_with_labels(tmp_path):
    corpus = read_corpus(write_jsonl(tmp_path / "c.jsonl", [good(1), good(2, split="dev")]), SCHEMA,
                         require_labels=True)
    assert [r.id for r in corpus.records] == ["r1", "r2"]
    assert corpus.records[1].split == "dev" and corpus.records[0].label("reasons") == ["covid_19"]


@pytest.mark.parametrize("row, message", [
    ('{"id": "x", "text": ', "c.jsonl:2: malformed JSON (Expecting value at character 22)"),
    (good(2, disposition="grnted"), "c.jsonl:2: unknown disposition label 'grnted' (expected one of: granted, granted_in_part, denied, "
                                        "dismissed, unknown)"),
    (good(2, reasons=["covid_19", "astrology"]), "c.jsonl:2: unknown reason label 'astrology' (expected one of: "
     + ", ".join(SCHEMA.reasons) + ")"),
    (good(2, text="   "), "c.jsonl:2: empty text"),
    ({"id": "x"}, "c.jsonl:2: missing field 'text'"),
    (good(1), "c.jsonl:2: duplicate id 'r1' (first at line 1)"),
    ("[1, 2]", "c.jsonl:2: expected a JSON object, got list"),
])
def test_bad_rows_stop_with_their_line(tmp_path, row, message):
    path = write_jsonl(tmp_path / "c.jsonl", [good(1), row])
    with pytest.raises(CorpusError) as error:
        read_corpus(path, SCHEMA, require_labels=True)
    assert str(error.value) == f"{tmp_path}/{message}"
    assert error.value.line == 2


def test_missing_labels_and_skipping_counts_every_bad_row(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [good(1), {"id": "b", "text": "No labels."}, "{oops", good(4)])
    with pytest.raises(CorpusError, match="c.jsonl:2: missing label field 'disposition'"):
        read_corpus(path, SCHEMA, require_labels=True)
    corpus = read_corpus(path, SCHEMA, require_labels=True, skip_invalid=True)
    assert [r.id for r in corpus.records] == ["r1", "r4"]
    assert [e.line for e in corpus.skipped] == [2, 3]


def test_csv_reasons_as_list_or_semicolons(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('id,text,disposition,reasons,motion_type\n'
                    'a,"Denied, as follows.",denied,covid_19;age,compassionate_release\n'
                    'b,Granted.,granted,"[""vaccination""]",compassionate_release\n')
    corpus = read_corpus(path, SCHEMA, require_labels=True)
    assert corpus.records[0].label("reasons") == ["covid_19", "age"]
    assert corpus.records[1].label("reasons") == ["vaccination"]


def test_folder_of_text_and_pdf(tmp_path):
    from pypdf import PdfWriter

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.txt").write_text("The motion is granted.")
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with open(tmp_path / "scan.pdf", "wb") as handle:
        writer.write(handle)
    with pytest.raises(CorpusError, match=r"scan.pdf: PDF has no text layer"):
        read_corpus(tmp_path)
    corpus = read_corpus(tmp_path, skip_invalid=True)
    assert [r.id for r in corpus.records] == ["sub/one"] and len(corpus.skipped) == 1


def test_missing_and_unknown_format(tmp_path):
    with pytest.raises(CorpusError, match="no such file or folder"):
        read_corpus(tmp_path / "nope.jsonl")
    (tmp_path / "x.xml").write_text("<a/>")
    with pytest.raises(CorpusError, match="unknown corpus format"):
        read_corpus(tmp_path / "x.xml")
