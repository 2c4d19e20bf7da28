"""Every table as CSV and every figure as PNG, in one folder: the analysis for people who do not
use notebooks (``motion-outcome report``), and what the notebook saves as well."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from analysis import plots
from analysis.agreement import agreement
from analysis.compare import before_after
from analysis.events import LEGAL_EVENTS
from analysis.rates import grant_rates
from analysis.reasons import citation_counts, reason_cooccurrence, reason_frequencies
from model.schema import LabelSchema

MIN_DECIDED_TO_PLOT = 3


def rate_tables(table: pd.DataFrame, schema: LabelSchema, freq: str = "Y") -> dict[str, pd.DataFrame]:
    return {
        "grant_rate_overall": grant_rates(table),
        "grant_rate_by_period": grant_rates(table, "period", freq=freq),
        "grant_rate_by_circuit": grant_rates(table, "circuit"),
        "grant_rate_by_court": grant_rates(table, "court"),
        "grant_rate_by_judge": grant_rates(table, "judge"),
        "grant_rate_by_motion_type": grant_rates(table, "motion_type", categories=schema.motion_types),
        "grant_rate_by_reason": grant_rates(table, "reason", categories=schema.reasons),
    }


def write_report(table: pd.DataFrame, schema: LabelSchema, out: str | Path, *, freq: str = "Y",
                 events: Mapping[str, str] = LEGAL_EVENTS, window_days: int | None = None,
                 progress: Callable[[str], None] = lambda message: None) -> dict[str, Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    def csv(name: str, frame: pd.DataFrame, index: bool = False) -> None:
        written[name] = out / f"{name}.csv"
        frame.to_csv(written[name], index=index)

    def png(name: str, fig) -> None:
        written[name] = plots.save(fig, out / f"{name}.png")

    columns = [c for c in table.columns if c not in ("citations",)]
    decisions = table[columns].assign(reasons=table["reasons"].map(";".join))
    csv("decisions", decisions)
    rates = rate_tables(table, schema, freq)
    for name, frame in rates.items():
        csv(name, frame)
    csv("reason_cooccurrence", reason_cooccurrence(table, schema.reasons), index=True)
    frequencies = reason_frequencies(table, schema.reasons)
    csv("reason_frequencies", frequencies)
    csv("before_after", before_after(table, events, window_days=window_days))
    if table["citations"].notna().any():
        csv("top_cited_cases", citation_counts(table))
    summary = {"records": len(table), "decided": int(table["decided"].sum()),
               "granted": int(table["granted"].fillna(False).astype(bool).sum()),
               "filled_by_model": int((table["disposition_source"] == "model").sum())}
    both = table.dropna(subset=["human_disposition", "model_disposition"])
    if len(both):
        agree = agreement(table, labels=schema.dispositions)
        csv("agreement_confusion", agree["confusion"], index=True)
        summary["agreement"] = {"n": agree["n"], "accuracy": agree["accuracy"], "kappa": agree["kappa"]}
        if "split" in table and table["split"].notna().any():
            summary["agreement_by_split"] = {}
            for split, part in table.groupby("split"):
                a = agreement(part, labels=schema.dispositions)
                summary["agreement_by_split"][split] = {"n": a["n"], "accuracy": a["accuracy"], "kappa": a["kappa"]}
        png("agreement_confusion", plots.confusion_plot(agree["confusion"], title=f"Human label vs model (n={agree['n']})"))
    written["summary"] = out / "summary.json"
    written["summary"].write_text(json.dumps(summary, indent=2, default=float) + "\n")
    progress(f"tables written to {out}")

    png("grant_rate_by_period", plots.grant_rate_plot(rates["grant_rate_by_period"], "period",
                                                      title="Grant rate by year of decision"))
    png("grant_rate_by_circuit", plots.grant_rate_plot(rates["grant_rate_by_circuit"], "circuit", horizontal=True,
                                                       title="Grant rate by circuit"))
    png("grant_rate_by_court", plots.grant_rate_plot(rates["grant_rate_by_court"], "court", horizontal=True,
                                                     min_decided=MIN_DECIDED_TO_PLOT,
                                                     title=f"Grant rate by district (≥{MIN_DECIDED_TO_PLOT} decided)"))
    png("reason_frequencies", plots.reason_frequency_plot(frequencies))
    progress(f"figures written to {out}")
    return written
