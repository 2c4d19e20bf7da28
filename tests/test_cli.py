"""The command line on bad input: each case stops with exit code 2 and says exactly what is wrong."""
import json
import subprocess
import sys

import pytest

from motion_outcome.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.fixture()
def labeled(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "The motion is denied.", "disposition": "denied",
                                "reasons": [], "motion_type": "compassionate_release"}) + "\n")
    return path


def test_missing_corpus_file(capsys, tmp_path):
    code, err = run(capsys, "train", "--corpus", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "m"))
    assert code == 2
    assert err.strip() == f"error: {tmp_path / 'none.jsonl'}: no such file or folder"


def test_malformed_jsonl(capsys, tmp_path, labeled):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(labeled.read_text() + '{"id": "b", "text": "x"\n')
    code, err = run(capsys, "train", "--corpus", str(bad), "--out", str(tmp_path / "m"))
    assert code == 2
    assert err.strip() == f"error: {bad}:2: malformed JSON (Expecting ',' delimiter at character 25)"


def test_unknown_label(capsys, tmp_path, labeled):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(labeled.read_text().replace('"denied"', '"rejected"'))
    code, err = run(capsys, "train", "--corpus", str(bad), "--out", str(tmp_path / "m"))
    assert code == 2
    assert err.strip() == (f"error: {bad}:1: unknown disposition label 'rejected' "
                           "(expected one of: granted, granted_in_part, denied, dismissed, unknown)")


def test_empty_text(capsys, tmp_path, default_model_dir):
    bad = tmp_path / "in.jsonl"
    bad.write_text('{"id": "a", "text": "The motion is denied."}\n{"id": "b", "text": "  "}\n')
    code, err = run(capsys, "predict", "--model", str(default_model_dir), "--input", str(bad),
                    "--output", str(tmp_path / "out.jsonl"))
    assert code == 2
    assert err.strip() == f"error: {bad}:2: empty text"
    assert not (tmp_path / "out.jsonl").exists()  # nothing half-written


def test_pdf_without_text_layer(capsys, tmp_path, default_model_dir):
    from pypdf import PdfWriter

    folder = tmp_path / "docs"
    folder.mkdir()
    writer = PdfWriter()
    writer.add_blank_page(width=300, height=300)
    with open(folder / "scan.pdf", "wb") as handle:
        writer.write(handle)
    code, err = run(capsys, "predict", "--model", str(default_model_dir), "--input", str(folder),
                    "--output", str(tmp_path / "out.jsonl"))
    assert code == 2
    assert err.strip() == (f"error: {folder / 'scan.pdf'}: PDF has no text layer (a scanned image?); "
                           "run OCR on it first")


def test_skip_invalid_counts_what_it_skips(capsys, tmp_path, default_model_dir):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "The motion is denied."}\n{oops\n{"id": "c", "text": "Granted."}\n')
    code, err = run(capsys, "predict", "--model", str(default_model_dir), "--input", str(path),
                    "--output", str(tmp_path / "out.jsonl"), "--skip-invalid")
    assert code == 0
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "c"]
    assert f"skipped {path}:2: malformed JSON" in err and "skipped 1 invalid" in err


def test_missing_model_directory(capsys, tmp_path, labeled):
    code, err = run(capsys, "predict", "--model", str(tmp_path / "nomodel"), "--input", str(labeled),
                    "--output", str(tmp_path / "o.jsonl"))
    assert code == 2
    assert err.strip() == f"error: model directory not found: {tmp_path / 'nomodel'}"


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "motion_outcome.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("train", "evaluate", "predict"):
        assert command in out.stdout


def test_too_few_records_of_a_label_is_a_clear_error(capsys, tmp_path):
    rows = [{"id": f"r{i}", "text": f"The motion number {i} is denied.", "disposition": "denied", "reasons": [],
             "motion_type": "compassionate_release"} for i in range(12)]
    rows += [{"id": "g1", "text": "The motion is granted.", "disposition": "granted", "reasons": [],
              "motion_type": "compassionate_release"}]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, err = run(capsys, "train", "--corpus", str(path), "--out", str(tmp_path / "m"), "--split", "all")
    assert code == 2
    assert err.strip().endswith("error: training data: too few records of disposition 'granted' (1): each label "
                                "used needs at least 5 (label more, or relabel them)")
    assert not (tmp_path / "m").exists()
