"""Names as a reader would write them: captions shout ("TERRENCE G. BERG"), reports should not."""
from __future__ import annotations

import re

_KEEP_UPPER = {"II", "III", "IV", "VI", "VII", "VIII"}


def display_name(written: str) -> str:
    """Title-case the words written in capitals; leave mixed-case words as the court wrote them."""
    words = re.sub(r"\s+", " ", written).strip(" ,;:").split(" ")
    return " ".join(_word(w) for w in words)


def _word(word: str) -> str:
    if re.fullmatch(r"Ma?c[A-Z]{2,}[.,]?", word):       # McCONNELL -> McConnell
        split = 2 if word[1] == "c" else 3
        return word[:split] + word[split:].capitalize()
    letters = re.sub(r"[^A-Za-z]", "", word)
    if not letters or not letters.isupper() or letters in _KEEP_UPPER or len(letters) == 1:
        return word
    return re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), word.lower())


def surname(name: str | None) -> str | None:
    """The last word that is not a suffix, lower-cased: what two spellings of one person share."""
    if not name:
        return None
    words = [w for w in re.findall(r"[A-Za-z'\u2019\-]+", name) if w.lower().strip(".") not in ("jr", "sr", "ii", "iii", "iv")]
    return words[-1].lower() if words else None
