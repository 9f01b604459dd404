"""From what sentences say (``mentions.Mention``) to a graded score for each trait of a
species.

A trait name ``has_<part>_<aspect>::<value>`` is *understood* when its part, aspect and whole
value have keys in ``terms.general`` (``has_bill_shape::hooked`` is the bill, shape, "hooked";
``has_size::small_(5_-_9_in)`` the organism's size between 5 and 9 inches). For an understood
trait t of a species, its mentions give three amounts in [0, 1], each a noisy-or over mentions
of the strength of the mention times how much the mentioned part speaks for t's part
(``general.PART_SPREAD``: "head" speaks for the crown at 1.0, the nape at 0.8):

- ``support``: mentions of t's value ("black head" for has_crown_color::black);
- ``denial``: negated mentions of t's value ("no wing bars");
- ``spoken``: mentions of any value of t's part and aspect ("brown crown" speaks about crown
  colour, so it also counts against has_crown_color::black).

A characteristic of a phrase table (``terms.PHRASE_TABLES``: a landscape's, a plant's) is
supported
and denied the same way; its group named without a value (``GROUP_ANY``) speaks for no value,
and denied ("no buildings", "without teeth") denies them all. A group's none value
(``Terms.none``: a landscape's "none", a leaf's "unlobed") is supported by the denials of the
group (those of one value at ``NONE_FROM_ONE_VALUE``) and by its own name, and denied by what
names another value of the group or the group itself.

A size mention supports a size range by how near its length lies (``SIZE_WIDTH``, in log
inches). The score of the cell starts from the prior p (the trait's share among known
species, or a uniform one without them) and

  score = 1 - (1 - p (1 - OTHER_VALUES * spoken)) (1 - support), then times
  (1 - DENIAL * denial),

so a trait the text names ranks above the prior, one whose part the text gives other values
ranks below it, and one the text never speaks of keeps its prior.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Sequence

import numpy as np

from traitjax.data import schema
from traitjax.language import mentions
from traitjax.language import terms
from traitjax.language.terms import general
from traitjax.language.terms import phrase_table

OTHER_VALUES = 0.8
DENIAL = 0.9
SIZE_WIDTH = 0.2
# "no motorway" says less for "no linear features" than "no roads".
NONE_FROM_ONE_VALUE = 0.5
_RANGE = re.compile(r"\((\d+(?:\.\d+)?)_?-_?(\d+(?:\.\d+)?)_?in\)")


@dataclasses.dataclass(frozen=True)
class TraitKey:
  """What an understood trait is about: its part, aspect and value key; a size range in
  inches for a size trait."""

  part: str
  aspect: str
  value: str
  inches: tuple[float, float] | None = None


def _aspect_table(aspect: str, part: str) -> dict:
  if aspect == general.COLOR:
    return general.COLORS
  if aspect == general.PATTERN:
    return general.PATTERNS
  if aspect == general.LENGTH:
    return general.LENGTHS
  if aspect == general.SHAPE:
    return general.FAMILY_SHAPES if part == general.PLUMAGE else general.SHAPES
  return {}


def trait_key(name: str) -> TraitKey | None:
  """The key of a trait name, or None when the general vocabulary (``terms.general``) does not
  cover it."""
  if schema.GROUP_SEPARATOR not in name:
    return None
  group, raw_value = name.split(schema.GROUP_SEPARATOR, 1)
  words = general.normalise(group).split()
  if words and words[0] == "has":
    words = words[1:]
  phrase = _phrase_key(" ".join(words), raw_value)
  if phrase is not None:
    return phrase
  if not words or words[-1] not in general.ASPECT_WORDS:
    return None
  aspect = general.ASPECT_WORDS[words[-1]]
  part_words = " ".join(words[:-1])
  if not part_words or part_words == "primary":  # CUB's primary colour: the plumage's.
    part = general.PLUMAGE
  else:
    part = general.PART_OF_WORD.get(part_words)
    if part is None:
      return None
  if aspect == general.SIZE:
    match = _RANGE.search(raw_value)
    if part != general.PLUMAGE or not match:
      return None
    return TraitKey(part, aspect, "", (float(match.group(1)), float(match.group(2))))
  value = general.normalise(raw_value)
  for part_word in sorted(general.PART_WORDS.get(part, ()), key=len, reverse=True):
    value = re.sub(rf"\s*\b{part_word}$", "", value).strip()
  table = _aspect_table(aspect, part)
  keys = {key for synonyms in table.values() for key in synonyms}
  if value in keys:
    return TraitKey(part, aspect, value)
  if value in table and len(table[value]) == 1:  # A synonym naming one key ("plain").
    return TraitKey(part, aspect, next(iter(table[value])))
  return None


def _phrase_key(group: str, raw_value: str) -> TraitKey | None:
  """The key of a characteristic of ``group`` (normalised, without "has") in a phrase table
  (``terms.PHRASE_TABLES``), or None when no table has it."""
  value = general.normalise(raw_value)
  for subject, table in terms.PHRASE_TABLES.items():
    values = table.groups.get(group, {})
    if value in values or (values and value == table.none.get(group)):
      return TraitKey(subject, group, value)
  return None


def _spread(mentioned: str, part: str, spread: bool) -> float:
  if not spread:
    return float(mentioned == part)
  return general.PART_SPREAD.get(mentioned, {mentioned: 1.0}).get(part, 0.0)


def _size_match(inches: float, bounds: tuple[float, float]) -> float:
  low, high = bounds
  if low <= inches < high:
    return 1.0
  distance = math.log(low / inches) if inches < low else math.log(inches / high)
  return math.exp(-0.5 * (distance / SIZE_WIDTH) ** 2)


def amounts(said: Sequence[mentions.Mention], keys: Sequence[TraitKey | None],
            spread: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """float64 [T] support, denial and spoken of each trait (0 for traits not understood);
  ``spread=False``: a mention speaks only for its own part."""
  keep = [np.ones(len(keys)) for _ in range(3)]  # 1 - noisy-or so far
  for index, key in enumerate(keys):
    if key is None:
      continue
    support, denial, spoken = 1.0, 1.0, 1.0
    for mention in said:
      if mention.aspect != key.aspect:
        continue
      share = _spread(mention.part, key.part, spread)
      if not share:
        continue
      amount = mention.strength * share
      table = terms.PHRASE_TABLES.get(key.part)
      if table is not None and key.value == table.none.get(key.aspect):
        if mention.value == key.value:  # "unlobed", "not unlobed".
          if mention.negated:
            denial *= 1 - amount
          else:
            support *= 1 - amount
        elif not mention.negated:
          denial *= 1 - amount
        elif mention.value == phrase_table.GROUP_ANY:
          support *= 1 - amount
        else:
          support *= 1 - NONE_FROM_ONE_VALUE * amount
        continue
      if key.aspect == general.SIZE:
        match = _size_match(mention.inches, key.inches)
      else:
        match = float(mention.value == key.value
                      or (mention.negated and mention.value == phrase_table.GROUP_ANY))
      if mention.negated:
        denial *= 1 - amount * match
      else:
        support *= 1 - amount * match
        if mention.value != phrase_table.GROUP_ANY:
          spoken *= 1 - amount
    keep[0][index], keep[1][index], keep[2][index] = support, denial, spoken
  return 1 - keep[0], 1 - keep[1], 1 - keep[2]


def scores(support: np.ndarray, denial: np.ndarray, spoken: np.ndarray,
           prior: np.ndarray) -> np.ndarray:
  """The graded cell scores of the module docstring, float32 in [0, 1]."""
  base = prior * (1 - OTHER_VALUES * spoken)
  return ((1 - (1 - base) * (1 - support)) * (1 - DENIAL * denial)).astype(np.float32)
