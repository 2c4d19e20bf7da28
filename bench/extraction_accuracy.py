"""Accuracy of metadata extraction (model/extract) against the corpus labels, per field.

    .venv/bin/python bench/extraction_accuracy.py [--corpus PATH] [--errors N]

For court, date and judge (labeled only where the reader could tell them), it reports on the
labeled records: coverage (a value was extracted), precision (the extracted value equals the
label) and accuracy (equal over all labeled records; a None counts as wrong). Labels are noisy and
were partly taken from the publishing page, so a text that never names its court caps coverage.
The defendant has no label; its surname is compared with the case name in the source URL
("united-states-v-<surname>-<n>") where there is one, as a proxy. Docket numbers: coverage only.
Writes bench/results/extraction_accuracy.json.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from model.extract import extract_metadata  # noqa: E402
from model.extract.court import court_table  # noqa: E402
from model.extract.names import surname  # noqa: E402
from training.corpus import read_corpus  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "decisions.jsonl"
OUT = REPO / "bench" / "results" / "extraction_accuracy.json"
_SLUG = re.compile(r"/united-states-v-([a-z'\-]+?)(?:-\d+)?/?$")


def same_court(a: str, b: str) -> bool:
    return re.sub(r"\s", "", a) == re.sub(r"\s", "", b)


def same_name(a: str, b: str) -> bool:
    def words(name: str) -> list[str]:
        return [w for w in re.findall(r"[a-z]+", name.lower()) if w not in ("jr", "sr", "ii", "iii", "iv")]
    return words(a) == words(b)


def same_surname(a: str, b: str) -> bool:
    return surname(a) == surname(b)


FIELDS = {"court": same_court, "date": str.__eq__, "judge": same_name, "judge_surname": same_surname}


def score(pairs, same) -> dict:
    labeled = len(pairs)
    found = sum(1 for _, got in pairs if got is not None)
    correct = sum(1 for want, got in pairs if got is not None and same(want, got))
    return {"labeled": labeled, "found": found, "correct": correct,
            "coverage": round(found / labeled, 4) if labeled else None,
            "precision": round(correct / found, 4) if found else None,
            "accuracy": round(correct / labeled, 4) if labeled else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--errors", type=int, default=0, help="print up to N disagreements per field (ids and values)")
    args = parser.parse_args()

    records = read_corpus(args.corpus).records
    started = time.perf_counter()
    extracted = [extract_metadata(r.text) for r in records]
    seconds = time.perf_counter() - started

    results: dict = {"corpus": args.corpus, "records": len(records),
                     "ms_per_document": round(1000 * seconds / len(records), 3), "fields": {}}
    errors: dict[str, list] = {}
    for field, same in FIELDS.items():
        label_field = field.split("_")[0]
        pairs = [(r.fields.get(label_field), m[label_field]) for r, m in zip(records, extracted) if r.fields.get(label_field)]
        results["fields"][field] = score(pairs, same)
        errors[field] = [(r.id, r.fields.get(label_field), m[label_field]) for r, m in zip(records, extracted)
                         if r.fields.get(label_field) and not (m[label_field] and same(r.fields[label_field], m[label_field]))]
        unlabeled = [m[label_field] for r, m in zip(records, extracted) if not r.fields.get(label_field)]
        results["fields"][field]["found_on_unlabeled"] = sum(v is not None for v in unlabeled)
        results["fields"][field]["unlabeled"] = len(unlabeled)

    # Ceiling for court: labeled records whose text names the labeled court anywhere at all (in any
    # context, citations included); the rest were labeled from the publishing page.
    table = court_table()
    results["fields"]["court"]["named_anywhere_in_text"] = sum(
        1 for r in records if r.fields.get("court") and any(
            (c := table.lookup(m.group(0))) and same_court(c.abbreviation, r.fields["court"])
            for m in table.pattern.finditer(r.text)))

    proxy = []
    for r, m in zip(records, extracted):
        slug = _SLUG.search(str(r.fields.get("source_url") or ""))
        if slug:
            proxy.append((slug.group(1).split("-")[-1], m["defendant"]))
    def slug_match(want: str, got: str) -> bool:        # the slug drops apostrophes, keeps the last hyphen part
        name = re.sub(r"['\u2019]", "", surname(got) or "")
        return want in (name, name.split("-")[-1])
    results["fields"]["defendant_surname_vs_url"] = score(proxy, slug_match)
    for field in ("docket", "circuit"):
        found = sum(m[field] is not None for m in extracted)
        results["fields"][field] = {"found": found, "coverage": round(found / len(records), 4)}

    print(f"extraction on {len(records)} records of {args.corpus} ({results['ms_per_document']} ms/document)")
    print(f"{'field':28s} {'labeled':>8s} {'found':>6s} {'correct':>8s} {'coverage':>9s} {'precision':>10s} {'accuracy':>9s}")
    for field, row in results["fields"].items():
        cells = [row.get(k) for k in ("labeled", "found", "correct", "coverage", "precision", "accuracy")]
        print(f"{field:28s} " + " ".join(f"{'' if c is None else c!s:>{w}s}" for c, w in zip(cells, (8, 6, 8, 9, 10, 9))))
    court = results["fields"]["court"]
    print(f"court: {court['named_anywhere_in_text']} of {court['labeled']} labeled texts name their court anywhere (ceiling)")
    if args.errors:
        for field, rows in errors.items():
            print(f"\n{field}: {len(rows)} disagreements (id, label, extracted)")
            for row in rows[:args.errors]:
                print("  ", *row)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
