"""Metadata read from a decision's own text: court (and its circuit), date, judge, docket, defendant.

Each field has its own small module; a field the text does not show is None, never a guess.
"""
from __future__ import annotations

from typing import Any

from model.extract.court import Court, find_court
from model.extract.dates import find_date
from model.extract.docket import find_docket
from model.extract.judge import find_judge
from model.extract.parties import find_defendant

METADATA_FIELDS = ("court", "circuit", "date", "judge", "docket", "defendant")


def extract_metadata(text: str) -> dict[str, Any]:
    court = find_court(text)
    return {
        "court": court.abbreviation if court else None,
        "circuit": court.circuit if court else None,
        "date": find_date(text),
        "judge": find_judge(text),
        "docket": find_docket(text),
        "defendant": find_defendant(text),
    }


__all__ = ["METADATA_FIELDS", "Court", "extract_metadata", "find_court", "find_date", "find_docket",
           "find_defendant", "find_judge"]
