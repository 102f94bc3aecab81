"""Which item a name means when several items share it, and what else it may mean."""

from __future__ import annotations

from bot.gazetteer._index import Entry

# Names of two places. Komen is what Flemish speakers call Comines-Warneton (Belgium); the
# French town is "Komen (Frankrijk)" for them. Lens is first the town of 30,000 in the
# Pas-de-Calais, not the village of Hainaut. Either way the other place is kept in
# ``alternatives`` so that the dialogue can ask.
PREFERRED: dict[tuple[str, ...], str] = {
    ("komen",): "be-comines-warneton",
    ("lens",): "fr-lens",
}


# Short names people also use for a neighbouring town, kept as alternatives: around Lille,
# "Mons" is often Mons-en-Barœul, "Wervicq" Wervicq-Sud, and "Comines" is a town on each
# bank of the Lys. The first reading stays the town whose official name this is.
ALSO_MEANS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("mons",): ("fr-mons-en-baroeul",),
    ("wervicq",): ("fr-wervicq-sud",),
    ("comines",): ("be-comines-warneton",),
}


def choose(words: tuple[str, ...], entries: tuple[Entry, ...], language: str | None) -> list[Entry]:
    """The entries of one name, best first: preferred, official name, message language."""
    preferred = PREFERRED.get(words)

    def rank(entry: Entry) -> tuple[bool, bool, bool]:
        return (entry.id != preferred, not entry.primary, entry.language not in (None, language))

    ordered: list[Entry] = []
    for entry in sorted(entries, key=rank):  # sorted() is stable: file order breaks ties
        if all(e.id != entry.id for e in ordered):
            ordered.append(entry)
    return ordered


def alternatives(words: tuple[str, ...], ordered: list[Entry]) -> tuple[str, ...]:
    """The ids a name may also mean: other items with this name, then ``ALSO_MEANS``."""
    ids = [e.id for e in ordered[1:]]
    return tuple(ids + [i for i in ALSO_MEANS.get(words, ()) if i not in ids])
