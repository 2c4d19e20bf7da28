"""Grant rates with Wilson score intervals, overall or by any column (or by reason, or period).

Grant rate = granted (the schema's positive dispositions) / decided (every disposition but the
schema's unknown). Wilson intervals stay inside [0, 1] and behave for small groups, which most
courts and judges are. A group with no decided record has rate and interval NaN, not 0.
"""
from __future__ import annotations

import math
from typing import Sequence

import pandas as pd
from scipy.stats import norm

RATE_COLUMNS = ["records", "decided", "granted", "rate", "lower", "upper"]


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be within 0..n, got {successes} of {n}")
    z = norm.ppf(1 - (1 - confidence) / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lower = 0.0 if successes == 0 else max(0.0, centre - half)     # exact at the ends, not 1e-17
    upper = 1.0 if successes == n else min(1.0, centre + half)
    return (lower, upper)


def with_period(table: pd.DataFrame, freq: str = "Y") -> pd.DataFrame:
    """Adds ``period`` (e.g. "2021", "2021Q3", "2021-07") from ``date``; undated rows get NA."""
    out = table.copy()
    dates = pd.to_datetime(out["date"], errors="coerce")
    out["period"] = dates.dt.to_period(freq).astype("string")
    return out


def grant_rates(table: pd.DataFrame, by: str | Sequence[str] | None = None, *, freq: str = "Y",
                categories: Sequence | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """One row per group: records, decided, granted, rate, lower, upper.

    ``by="reason"`` counts a decision once for each reason it cites; ``by="period"`` groups by
    ``freq`` periods of the decision date. Rows whose key is missing form their own group (NA),
    so over a single key the ``decided`` column sums to the table's decided records.
    ``categories`` (one key only) lists groups to show even when empty, in that order.
    """
    keys = [by] if isinstance(by, str) else list(by or [])
    data = table
    if "period" in keys and "period" not in data.columns:
        data = with_period(data, freq)
    if "reason" in keys:
        data = data.assign(reason=data["reasons"].map(lambda r: list(r) if len(r) else [None])).explode("reason")
    if not keys:
        return pd.DataFrame([_rate_row(data, confidence)], columns=RATE_COLUMNS)
    rows = []
    for key, group in data.groupby(keys, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        rows.append(dict(zip(keys, key), **_rate_row(group, confidence)))
    result = pd.DataFrame(rows, columns=keys + RATE_COLUMNS)
    if categories is not None:
        if len(keys) != 1:
            raise ValueError("categories need exactly one grouping column")
        present = result.set_index(keys[0])
        extra = [k for k in present.index if k not in set(categories)]
        result = present.reindex(list(categories) + extra).rename_axis(keys[0]).reset_index()
        result[["records", "decided", "granted"]] = result[["records", "decided", "granted"]].fillna(0).astype(int)
    return result


def _rate_row(group: pd.DataFrame, confidence: float) -> dict:
    decided = int(group["decided"].sum())
    granted = int(group.loc[group["decided"], "granted"].fillna(False).astype(bool).sum())
    lower, upper = wilson_interval(granted, decided, confidence)
    return {"records": len(group), "decided": decided, "granted": granted,
            "rate": granted / decided if decided else math.nan, "lower": lower, "upper": upper}
