"""Outcome trends over a corpus of decisions: plain functions over pandas DataFrames.

    table = decisions_table(records, predictions, schema)       # one row per decision
    grant_rates(table, by="circuit")                            # rate + Wilson interval per group
    reason_cooccurrence(table, schema.reasons); before_after(table, LEGAL_EVENTS); agreement(table)
"""
from analysis.agreement import agreement, cohen_kappa
from analysis.compare import before_after
from analysis.events import LEGAL_EVENTS
from analysis.rates import grant_rates, wilson_interval, with_period
from analysis.reasons import citation_counts, reason_cooccurrence, reason_frequencies
from analysis.table import decisions_table

__all__ = ["LEGAL_EVENTS", "agreement", "before_after", "citation_counts", "cohen_kappa", "decisions_table",
           "grant_rates", "reason_cooccurrence", "reason_frequencies", "wilson_interval", "with_period"]
