"""Dates at which the law or the facts changed for compassionate release: defaults for
before/after comparisons (any other mapping of name -> date works the same)."""
from __future__ import annotations

LEGAL_EVENTS = {
    # National emergency declared for COVID-19 (Proclamation 9994).
    "covid_emergency": "2020-03-13",
    # Every U.S. adult eligible for a COVID-19 vaccine.
    "vaccines_available": "2021-04-19",
    # Amended USSG § 1B1.13 (policy statement for § 3582(c)(1)(A) motions) in effect.
    "ussg_1b1.13_amended": "2023-11-01",
}
