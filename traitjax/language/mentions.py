"""What the rule readers find in a sentence: its mentions (a value said of a part, or a
characteristic a phrase names), and the reading of the whole sentence."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Mention:
  """One thing a sentence says.

  Attributes:
    part: a part key of ``general.PART_WORDS`` (``general.PLUMAGE`` for the organism); the
      subject of a phrase table (``landscapes.SCENE`` for a landscape, ``plants.PLANT``).
    aspect: ``general.COLOR``, ``PATTERN``, ``SHAPE``, ``LENGTH`` or ``SIZE``; a group of
      the phrase table for a phrase.
    value: the value key ("rufous", "striped", "gull like"); "" for a size;
      ``phrase_table.GROUP_ANY`` for a phrase table's group named without a value.
    strength: how surely, in (0, 1]: the word's strength times its qualifier's weight.
    negated: the sentence says the part does *not* have the value.
    inches: the organism's length, for a size.
  """

  part: str
  aspect: str
  value: str
  strength: float
  negated: bool = False
  inches: float = 0.0


@dataclasses.dataclass(frozen=True)
class Reading:
  """What one sentence says: its mentions, whether it describes appearance (a value said of a
  part or of the organism, a length, an appearance word), whether it names a part and whether
  it names a characteristic of a phrase table (a landscape's, a plant's)."""

  sentence: str
  mentions: tuple[Mention, ...]
  about_appearance: bool
  names_part: bool
  names_phrase: bool = False
