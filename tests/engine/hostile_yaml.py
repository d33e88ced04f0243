"""Hostile knowledge files shared by the loader, CLI, reload and bot tests."""

from __future__ import annotations

from itertools import pairwise


def billion_laughs(levels: int = 9) -> str:
    """Nested anchored lists under `synonyms:`, each holding nine aliases of the one before (9 levels: 361 bytes).

    Expanded, the last list holds 9**levels strings: 387 million for 9 levels, 531,441 for 6.
    """
    names = "abcdefghi"[:levels]
    lines = ["synonyms:", '  - &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  - &{cur} [" + ",".join([f"*{prev}"] * 9) + "]" for prev, cur in pairwise(names)]
    return "\n".join(lines) + "\n"
