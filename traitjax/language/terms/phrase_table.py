"""Characteristics named by phrases. Some vocabularies describe their organism by
characteristics that phrases name rather than a value word said of a part: a landscape seen
from above ("a street grid", "no buildings"), a plant ("pinnately compound", "leaves 5-10 cm
long"). A ``Terms`` table holds, for each group ``has_<group>::<value>`` of such a vocabulary,
patterns of each value over the normalised, tokenised sentence (words joined by single
spaces, commas as tokens). ``GROUP_ANY`` holds the words that name a group without a value
("buildings": some building density; "no buildings": none). A group's *none* value
(``Terms.none``: a landscape's ``GROUP_NONE``, a leaf's "unlobed") has it when the text denies
the group, and not when it names another of its values.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

GROUP_ANY = "*"
GROUP_NONE = "none"
# Up to four words (or commas) between an adjective and its noun.
GAP = r"(?: [\w,]+){0,4}"


def adjective_patterns(adjectives: str, noun: str, gap: str = GAP, after: float = 0.9,
                       strength: float = 1.0) -> dict[str, float]:
  """Patterns of an adjective said of a noun, before it ("large rectangular fields") or after
  it ("fields are small to medium"), the latter at ``after`` of ``strength``."""
  return {rf"\b(?:{adjectives})\b{gap} {noun}\b": strength,
          rf"\b{noun}\b(?: \w+){{0,3}} (?:{adjectives})\b": after * strength}


@dataclasses.dataclass(frozen=True)
class Terms:
  """A table of characteristics named by phrases.

  Attributes:
    subject: the part of its mentions (``mentions.Mention.part``): what the vocabulary
      describes.
    groups: group -> value (or ``GROUP_ANY``) -> {regex pattern: strength}.
    none: group -> its value that the group's denial supports.
    organs: organ -> the words that name it; a word of several organs names each.
    group_organs: group -> (organs, strict): a value of the group said of another organ is
      not the group's ("white flowers" is no bark colour); ``strict``, it must be said of one
      of them ("white" alone is no bark colour).
    sizes: group -> (organs, {value: (low, high) in cm}, whether widths count): a length with
      a unit said of one of the organs ("leaves 5-10 cm long") names the value whose range
      holds its middle.
    qualified: whether the organism's qualifiers (``general.QUALIFIERS``: sex, age, season) weigh
      its phrases; a plant's "young" twigs and "male" cones are no juvenile's or male's.
    negated_lists: whether a negation carries over the commas of a list ("no fields, hedges
      or roads"); a plant's clauses are mostly not such lists ("without petals, borne in
      clusters").
  """

  subject: str
  groups: Mapping[str, Mapping[str, Mapping[str, float]]]
  none: Mapping[str, str] = dataclasses.field(default_factory=dict)
  organs: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
  group_organs: Mapping[str, tuple[frozenset[str], bool]] = dataclasses.field(
      default_factory=dict)
  sizes: Mapping[str, tuple[frozenset[str], Mapping[str, tuple[float, float]], bool]] = (
      dataclasses.field(default_factory=dict))
  qualified: bool = True
  negated_lists: bool = True


# Words between a negation and a group's name that leave it unqualified ("no buildings", "no
# fields, buildings or roads"); any other word qualifies it ("no small houses" denies less than
# "no houses"), and the denial of the group counts ``QUALIFIED_DENIAL`` of its strength.
UNQUALIFIED = frozenset({"any", "the", "a", "an", "or", "nor", "and", "other", "visible",
                         "true", "real"})
QUALIFIED_DENIAL = 0.3
# Words after a term that deny it ("buildings are absent"), with how surely.
POSTPOSED_NEGATIONS = {"absent": 1.0, "lacking": 1.0, "missing": 1.0, "scarce": 0.6,
                       "rare": 0.6}
