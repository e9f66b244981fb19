"""Light suffix strippers: just enough for the inflections of a reminder's vocabulary to meet.

They are not linguistic stemmers. What matters is that every form of a word listed in the vocabulary
reduces to the same stem as the listed form (both sides go through the same function), and that no common
word of a reminder reduces to the stem of a listed word it is unrelated to. The tests pin both properties
on the words that matter ("retard", "retards", "retardé", "retardée" -> "retard"; "fail", "failed",
"failing", "fails" -> "fail"); collisions that remain ("nous sommes" vs "somme") are handled by shield
phrases in the vocabulary, not here.

Input is a folded token (lower case, no accents).
"""

from __future__ import annotations

# French: verb endings first (longest wins), then gender/number. Applied after a plural s/x is dropped,
# at most twice, never leaving fewer than three letters: "retardees" -> "retardee" -> "retard",
# "engagerons" -> "engageron" -> "engager" -> "engag", "dernieres" -> "derniere" -> "dernier" -> "derni".
_FR_SUFFIXES = (
    "eraient",
    "erions",
    "eriez",
    "erai",
    "era",
    "aient",
    "ait",
    "iez",
    "ont",
    "on",
    "ee",
    "ez",
    "er",
    "e",
)


def stem_fr(word: str) -> str:
    if not word.isalpha():
        return word
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    for _ in range(2):
        for suffix in _FR_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def stem_en(word: str) -> str:
    if not word.isalpha():
        return word
    # Plurals and third person.
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # Past and present participles.
    if len(word) > 4 and word.endswith("ied"):
        word = word[:-3] + "y"
    elif len(word) >= 6 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) >= 5 and word.endswith("ed"):
        word = word[:-2]
    # "stopped" -> "stopp" -> "stop"; "charge"/"charged" -> "charg".
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsze":
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def stem(word: str, language: str) -> str:
    return stem_fr(word) if language == "fr" else stem_en(word)
