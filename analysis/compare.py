"""Grant rates before and after given dates (a change in law, a pandemic), with Fisher's exact test."""
from __future__ import annotations

from typing import Mapping

import pandas as pd
from scipy.stats import fisher_exact

from analysis.rates import _rate_row


def before_after(table: pd.DataFrame, events: Mapping[str, str], *, window_days: int | None = None,
                 confidence: float = 0.95) -> pd.DataFrame:
    """One row per event: decided/granted/rate/interval before (date < event) and after (>=),
    optionally within ``window_days`` of the event; undated decisions are left out and counted."""
    dates = pd.to_datetime(table["date"], errors="coerce")
    rows = []
    for name, when in events.items():
        when = pd.Timestamp(when)
        before = dates < when
        after = dates >= when
        if window_days is not None:
            span = pd.Timedelta(days=window_days)
            before &= dates >= when - span
            after &= dates < when + span
        b, a = _rate_row(table[before], confidence), _rate_row(table[after], confidence)
        p_value = float("nan")
        if b["decided"] and a["decided"]:
            p_value = float(fisher_exact([[b["granted"], b["decided"] - b["granted"]],
                                          [a["granted"], a["decided"] - a["granted"]]])[1])
        rows.append({"event": name, "date": when.date().isoformat(),
                     **{f"before_{k}": v for k, v in b.items() if k != "records"},
                     **{f"after_{k}": v for k, v in a.items() if k != "records"},
                     "difference": a["rate"] - b["rate"], "p_value": p_value,
                     "undated": int(dates.isna().sum())})
    return pd.DataFrame(rows)
