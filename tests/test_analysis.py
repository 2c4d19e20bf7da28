"""The analysis functions on small hand-made tables whose answers are known."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis import (agreement, before_after, citation_counts, cohen_kappa, decisions_table, grant_rates,
                      reason_cooccurrence, reason_frequencies, wilson_interval)
from model.schema import LabelSchema

SCHEMA = LabelSchema.from_dict({
    "disposition": {"labels": ["yes", "partly", "no", "tossed", "unclear"], "unknown": "unclear",
                    "positive": ["yes", "partly"]},
    "reasons": {"labels": ["health", "family", "danger"]},
    "motion_type": {"labels": ["release", "termination", "other"]},
})


def record(rid, disposition, *, reasons=(), court=None, date=None, judge=None, motion_type="release", split="train"):
    return SimpleNamespace(id=rid, text="ORDER\nThe motion is decided.", fields={
        "disposition": disposition, "reasons": list(reasons), "court": court, "date": date, "judge": judge,
        "motion_type": motion_type, "split": split})


def prediction(rid, disposition, needs_review=False, reasons=()):
    return {"id": rid, "disposition": disposition, "needs_review": needs_review,
            "reasons": [{"label": r, "probability": 0.9, "evidence": []} for r in reasons]}


@pytest.fixture
def table():
    records = [
        record("a", "yes", reasons=["health"], court="D. Kan.", date="2020-05-01", judge="Ann Roe"),
        record("b", "partly", reasons=["health", "family"], court="D. Kan.", date="2020-09-01", judge="Ann Roe"),
        record("c", "no", reasons=["danger"], court="S.D.N.Y.", date="2021-06-01", judge="Bo Li"),
        record("d", "tossed", court="S.D.N.Y.", date="2022-01-10"),
        record("e", "unclear", reasons=["health"], court="E.D. Mich.", date="2022-02-01"),
        record("f", "no", reasons=["health", "danger"], date="2023-12-01", motion_type="termination", split="dev"),
    ]
    return decisions_table(records, schema=SCHEMA, extract=False)


def test_wilson_interval_known_values():
    lo, hi = wilson_interval(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    lo, hi = wilson_interval(0, 1)
    assert lo == 0.0 and hi == pytest.approx(0.7935, abs=1e-4)
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_table_uses_schema_for_decided_and_granted(table):
    assert list(table["decided"]) == [True, True, True, True, False, True]
    assert list(table["granted"].astype(object)) == [True, True, False, False, pd.NA, False]
    assert table.loc[table["id"] == "a", "circuit"].item() == "10th Cir."
    assert table.loc[table["id"] == "f", "circuit"].isna().item()


def test_overall_rate_counts_granted_in_part_and_ignores_unknown(table):
    row = grant_rates(table).iloc[0]
    assert (row["records"], row["decided"], row["granted"]) == (6, 5, 2)
    assert row["rate"] == pytest.approx(0.4)
    assert (row["lower"], row["upper"]) == pytest.approx(wilson_interval(2, 5))


def test_rates_by_court_keep_undated_and_unknown_groups(table):
    rates = grant_rates(table, "court").set_index("court")
    assert rates["decided"].sum() == table["decided"].sum()
    assert rates.loc["D. Kan.", "rate"] == 1.0
    assert rates.loc["S.D.N.Y.", "rate"] == 0.0
    mich = rates.loc["E.D. Mich."]                      # one record, not decided: an empty group
    assert mich["records"] == 1 and mich["decided"] == 0 and math.isnan(mich["rate"]) and math.isnan(mich["lower"])
    missing = rates[rates.index.isna()].iloc[0]         # the record without a court is its own group
    assert missing["decided"] == 1 and missing["granted"] == 0


def test_rates_by_period_and_single_record_group(table):
    rates = grant_rates(table, "period", freq="Y").set_index("period")
    assert rates.loc["2020", "decided"] == 2 and rates.loc["2020", "rate"] == 1.0
    assert rates.loc["2023", "decided"] == 1 and rates.loc["2023", "rate"] == 0.0
    assert rates.loc["2023", "upper"] == pytest.approx(wilson_interval(0, 1)[1])
    assert rates["decided"].sum() == table["decided"].sum()


def test_rates_by_category_list_empty_groups_in_order(table):
    rates = grant_rates(table, "motion_type", categories=SCHEMA.motion_types)
    assert list(rates["motion_type"]) == ["release", "termination", "other"]
    other = rates.iloc[2]
    assert other["records"] == 0 and other["decided"] == 0 and math.isnan(other["rate"])


def test_rates_by_reason_count_each_reason_once_per_decision(table):
    rates = grant_rates(table, "reason", categories=SCHEMA.reasons).set_index("reason")
    assert rates.loc["health", "decided"] == 3 and rates.loc["health", "granted"] == 2
    assert rates.loc["danger", "decided"] == 2 and rates.loc["danger", "granted"] == 0
    assert rates.loc["family", "records"] == 1


def test_rates_on_empty_table():
    empty = decisions_table([], schema=SCHEMA)
    assert grant_rates(empty).iloc[0]["decided"] == 0
    assert len(grant_rates(empty, "court")) == 0
    assert list(grant_rates(empty, "court").columns) == ["court", "records", "decided", "granted", "rate", "lower", "upper"]


def test_reason_cooccurrence_and_frequencies(table):
    co = reason_cooccurrence(table, SCHEMA.reasons)
    assert co.loc["health", "health"] == 4 and co.loc["health", "family"] == 1 and co.loc["health", "danger"] == 1
    assert (co.to_numpy() == co.to_numpy().T).all()
    assert reason_cooccurrence(table, SCHEMA.reasons, decided_only=True).loc["health", "health"] == 3
    freq = reason_frequencies(table, SCHEMA.reasons).set_index("reason")
    assert freq.loc["health", "granted"] == 2 and freq.loc["health", "share_of_granted"] == 1.0
    assert freq.loc["danger", "not_granted"] == 2 and freq.loc["danger", "share_of_not_granted"] == pytest.approx(2 / 3)


def test_before_after(table):
    result = before_after(table, {"change": "2021-01-01"}).iloc[0]
    assert (result["before_decided"], result["before_granted"]) == (2, 2)
    assert (result["after_decided"], result["after_granted"]) == (3, 0)
    assert result["difference"] == pytest.approx(-1.0)
    assert 0 < result["p_value"] <= 1
    windowed = before_after(table, {"change": "2021-01-01"}, window_days=200).iloc[0]
    assert windowed["before_decided"] == 1 and windowed["after_decided"] == 1   # 2020-09-01 and 2021-06-01
    nothing_before = before_after(table, {"early": "2000-01-01"}).iloc[0]
    assert nothing_before["before_decided"] == 0 and math.isnan(nothing_before["p_value"])


def test_model_fills_only_missing_or_unknown_labels():
    records = [record("h1", "no"), record("h2", "unclear"), record("h3", "unclear")]
    predictions = [prediction("h1", "yes"), prediction("h2", "yes", reasons=["family"]),
                   prediction("h3", "yes", needs_review=True), prediction("p1", "no", reasons=["danger"])]
    table = decisions_table(records, predictions, schema=SCHEMA, extract=False).set_index("id")
    assert table.loc["h1", "disposition"] == "no" and table.loc["h1", "disposition_source"] == "human"
    assert table.loc["h2", "disposition"] == "yes" and table.loc["h2", "disposition_source"] == "model"
    assert table.loc["h3", "disposition"] == "unclear" and not table.loc["h3", "decided"]
    assert table.loc["p1", "reasons"] == ["danger"] and table.loc["p1", "decided"]
    trusting = decisions_table(records, predictions, schema=SCHEMA, extract=False, review_as_unknown=False)
    assert trusting.set_index("id").loc["h3", "disposition"] == "yes"


def test_cohen_kappa_known_values():
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    # observed 0.5, chance 0.5: no better than chance
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == pytest.approx(0.0)
    # classic 2x2: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> kappa 0.4
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert math.isnan(cohen_kappa([], []))
    assert math.isnan(cohen_kappa(["a", "a"], ["a", "a"]))


def test_agreement_only_where_both_exist():
    records = [record("1", "yes"), record("2", "no"), record("3", "no"), record("4", "yes")]
    predictions = [prediction("1", "yes"), prediction("2", "yes"), prediction("3", "no")]
    result = agreement(decisions_table(records, predictions, schema=SCHEMA, extract=False), labels=SCHEMA.dispositions)
    assert result["n"] == 3 and result["accuracy"] == pytest.approx(2 / 3)
    assert result["confusion"].loc["no", "yes"] == 1 and result["confusion"].to_numpy().sum() == 3
    assert list(result["confusion"].index) == list(SCHEMA.dispositions)


def test_citation_counts_per_decision():
    records = [record("1", "yes"), record("2", "no"), record("3", "no")]
    cite = {"kind": "case", "authority": "976 F.3d 228"}
    predictions = [dict(prediction("1", "yes"), citations=[cite, dict(cite, kind="case_reference")]),
                   dict(prediction("2", "no"), citations=[cite]), dict(prediction("3", "no"), citations=[])]
    counts = citation_counts(decisions_table(records, predictions, schema=SCHEMA, extract=False))
    assert counts.to_dict("records") == [{"authority": "976 F.3d 228", "decisions": 2, "granted": 1, "not_granted": 1}]
