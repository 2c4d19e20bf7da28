"""Figures of the analysis tables. Each function takes a table from this package and returns a
matplotlib Figure; ``save`` writes it as PNG. Figures show counts, never decision text.
The backend is the caller's choice (the report command uses Agg; a notebook, its inline one)."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def grant_rate_plot(rates: pd.DataFrame, key: str, *, title: str, min_decided: int = 1, horizontal: bool = False):
    """Rate per group with its interval as error bars; ``n`` decided is written beside each group."""
    data = rates[(rates["decided"] >= min_decided) & rates[key].notna()]
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.3 * len(data))) if horizontal else (9, 4.5))
    positions = np.arange(len(data))
    errors = np.clip(np.vstack([data["rate"] - data["lower"], data["upper"] - data["rate"]]), 0, None)  # rounding
    if horizontal:
        ax.errorbar(data["rate"], positions, xerr=errors, fmt="o", capsize=3)
        ax.set_yticks(positions, [f"{k} (n={n})" for k, n in zip(data[key], data["decided"])])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("grant rate (95% Wilson interval)")
    else:
        ax.errorbar(positions, data["rate"], yerr=errors, fmt="o-", capsize=3)
        ax.set_xticks(positions, [f"{k}\nn={n}" for k, n in zip(data[key], data["decided"])], fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_ylabel("grant rate (95% Wilson interval)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def reason_frequency_plot(frequencies: pd.DataFrame, *, title: str = "Reasons cited: granted vs not granted"):
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(frequencies) + 1.5))
    positions = np.arange(len(frequencies))
    ax.barh(positions - 0.2, frequencies["share_of_granted"], height=0.4, label="granted (in whole or part)")
    ax.barh(positions + 0.2, frequencies["share_of_not_granted"], height=0.4, label="not granted")
    ax.set_yticks(positions, frequencies["reason"])
    ax.invert_yaxis()
    ax.set_xlabel("share of decisions citing the reason")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def confusion_plot(confusion: pd.DataFrame, *, title: str = "Human label vs model"):
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.imshow(confusion.to_numpy(), cmap="Blues")
    ax.set_xticks(range(len(confusion.columns)), confusion.columns, rotation=45, ha="right")
    ax.set_yticks(range(len(confusion.index)), confusion.index)
    ax.set_xlabel("model")
    ax.set_ylabel("human")
    for (i, j), value in np.ndenumerate(confusion.to_numpy()):
        ax.text(j, i, int(value), ha="center", va="center", fontsize=9)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
