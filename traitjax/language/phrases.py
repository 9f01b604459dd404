"""Natural-language phrases for trait names, and the files that name traits and phrases.

A trait name ``group::value`` becomes a short noun phrase that a sentence encoder can compare
with the clauses of a description, and each group gets a phrase of its own (what the group is
about)::

  has_bill_shape::dagger        -> "dagger-shaped bill"      group "bill shape"
  has_wing_color::blue          -> "blue wings"              group "wing color"
  has_size::small_(5_-_9_in)    -> "small size"              group "overall size"
  has_bill_length::shorter_than_head -> "bill shorter than head"
  has_head_pattern::eyebrow     -> "head with eyebrow"
  petal_colour::yellow          -> "yellow petals"           group "petal colour"
  fruit::none                   -> "no fruit"                group "fruit"

A group name is split into the part it describes and an *aspect*, its last word when that is one
of ``ASPECTS`` (``bill`` + ``shape``, ``flower`` + ``centre``); a leading ``has_``, parenthesised
details and underscores are dropped. A name without ``::`` is a phrase of its own (its own
group).

Traits files (``traitjax.data.vocabulary``) list the trait names. Phrase override files map a
trait or group name to the phrase to use instead, as JSON (``{"name": "phrase"}``) or one
``name<TAB>phrase`` per line.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from typing import Mapping, Sequence

from traitjax.data import schema
from traitjax.data import vocabulary

# The last word of a group name that says which property of the part the group describes.
ASPECTS = frozenset({
    "shape", "pattern", "color", "colour", "length", "size", "texture", "count", "margin",
    "arrangement", "centre", "center", "tip", "base", "type"})
# Aspects whose values describe the part itself ("blue wings"); the others name a sub-part
# ("serrated leaf margin", "yellow flower centre").
_PART_PROPERTIES = frozenset({
    "shape", "pattern", "color", "colour", "length", "size", "texture", "count",
    "arrangement"})
# The part words of trait vocabularies that are written differently in descriptions: parts that
# come in numbers (named in the plural when they are described) and CUB's "primary" colour, the
# colour of the plumage as a whole.
_PLURALS = {"wing": "wings", "leg": "legs", "eye": "eyes", "foot": "feet", "leaf": "leaves",
            "petal": "petals", "sepal": "sepals", "feather": "feathers", "spine": "spines",
            "thorn": "thorns", "seed": "seeds", "flower": "flowers"}
_PART_NOUNS = {"primary": "plumage"}
# What a group without a part word (``has_size``, ``has_shape``) is about.
_WHOLE = "overall"
# Adjectives without an adjective suffix; a single-word value that is neither one of these nor
# suffixed like an adjective is read as a noun ("dagger" -> "dagger-shaped bill").
_PLAIN_ADJECTIVES = frozenset({
    "round", "oval", "square", "flat", "long", "short", "broad", "narrow", "thick", "thin",
    "wide", "straight", "blunt", "plain", "solid", "small", "large", "big", "tiny", "huge",
    "tall", "dark", "light", "pale", "deep", "bright", "dull", "smooth", "rough", "soft",
    "hard", "stout", "slim", "entire", "open", "erect", "even", "odd"})
_ADJECTIVE_SUFFIXES = ("ed", "ate", "al", "ar", "ous", "ose", "ic", "ish", "ive", "ful",
                       "less", "like", "ent", "ant", "ile", "oid", "y", "en")
# Values that say the part is missing.
_ABSENT_VALUES = frozenset({"none", "absent", "no", "lacking", "missing"})
# Words that make a value a comparison or a prepositional phrase, written after the part.
_POSTFIX_WORDS = frozenset({"than", "as", "of", "with", "to"})


@dataclasses.dataclass(frozen=True)
class PhraseBook:
  """The phrases of a trait vocabulary.

  Attributes:
    traits: T trait names.
    groups: T group names (``schema.group_of`` of each name).
    phrasings: T tuples of phrases naming each trait, the ``trait_phrase`` first
      ("yellow petals", "petals yellow"); an override is the only phrasing of its trait.
    values: T texts of what a clause says when it names the trait, without the part ("yellow");
      an override's phrase for an overridden trait.
    group_phrases: group name -> what the group is ("petal colour", "bill shape").
    group_parts: group name -> the part the group describes ("petals", "bill", "flower
      centre"; the group phrase for groups about the whole organism, "overall size").
  """

  traits: tuple[str, ...]
  groups: tuple[str, ...]
  phrasings: tuple[tuple[str, ...], ...]
  values: tuple[str, ...]
  group_phrases: Mapping[str, str]
  group_parts: Mapping[str, str]

  @property
  def phrases(self) -> tuple[str, ...]:
    """The main phrase of each trait."""
    return tuple(phrasings[0] for phrasings in self.phrasings)

  def group_names(self) -> tuple[str, ...]:
    """Distinct groups in first-seen order."""
    return tuple(dict.fromkeys(self.groups))


def _words(name: str) -> str:
  """``has_upper_tail_color`` -> ``upper tail color``; parenthesised details are dropped."""
  name = re.sub(r"\([^)]*\)", " ", name)
  name = re.sub(r"^has_", "", name.strip())
  return " ".join(name.replace("_", " ").split())


def _split_group(group: str) -> tuple[str, str]:
  """(part, aspect) of a group name: ``has_bill_shape`` -> (``bill``, ``shape``);
  ``inflorescence`` -> (``inflorescence``, ""); ``has_size`` -> ("", ``size``)."""
  words = _words(group).split()
  if words and words[-1] in ASPECTS:
    return " ".join(words[:-1]), words[-1]
  return " ".join(words), ""


def _part_noun(part: str, plural: bool) -> str:
  """The part as descriptions name it: ``primary`` -> ``plumage``; ``wing`` -> ``wings`` when
  ``plural``."""
  words = part.split()
  if not words:
    return ""
  last = _PART_NOUNS.get(words[-1], words[-1])
  if plural:
    last = _PLURALS.get(last, last)
  return " ".join(words[:-1] + [last])


def _is_adjective(value: str) -> bool:
  """Whether a value reads as an adjective (``curved``, ``all-purpose``, ``dark green``)
  rather than a noun (``dagger``, ``eyebrow``, ``unique pattern``)."""
  last = value.split()[-1]
  if "-" in last:
    return True
  return last in _PLAIN_ADJECTIVES or last.endswith(_ADJECTIVE_SUFFIXES)


def group_phrase(group: str) -> str:
  """What a trait group is: ``has_wing_color`` -> ``wing color``, ``has_size`` ->
  ``overall size``, ``petal_count`` -> ``petal count``."""
  part, aspect = _split_group(group)
  part = _part_noun(part, plural=False)
  return " ".join(word for word in (part or _WHOLE, aspect) if word)


def group_part(group: str) -> str:
  """The part a trait group describes, as descriptions name it: ``has_wing_color`` ->
  ``wings``, ``flower_centre`` -> ``flower centre``, ``has_primary_color`` -> ``plumage``;
  the group phrase for a group about the whole organism (``has_size`` -> ``overall size``)."""
  part, aspect = _split_group(group)
  if not part:
    return group_phrase(group)
  if aspect and aspect not in _PART_PROPERTIES:
    return f"{_part_noun(part, plural=False)} {aspect}"
  return _part_noun(part, plural=True)


def value_words(name: str) -> str:
  """The value of a trait name as words: ``has_size::small_(5_-_9_in)`` -> ``small``; the
  words of a name without ``::``."""
  return _words(name.split(schema.GROUP_SEPARATOR, 1)[-1])


def trait_phrase(name: str) -> str:
  """A natural phrase for a trait name (see the module docstring); a name without ``::`` is
  returned as words (``has_`` and underscores dropped)."""
  if schema.GROUP_SEPARATOR not in name:
    return _words(name)
  group, raw_value = name.split(schema.GROUP_SEPARATOR, 1)
  part, aspect = _split_group(group)
  value = _words(raw_value)
  if not value:
    raise ValueError(f"trait {name!r} has no value after {schema.GROUP_SEPARATOR!r}")
  noun = _part_noun(part, plural=True)
  if not noun:  # A property of the whole organism: "small size", "duck-like shape".
    return f"{value} {aspect}".strip()
  if value in _ABSENT_VALUES:
    return f"no {noun}"
  singular = _part_noun(part, plural=False)
  for named in (noun, singular):  # The value names the part itself: "rounded-wings".
    if re.search(rf"(^|[\s-]){re.escape(named)}$", value):
      return re.sub(rf"-{re.escape(named)}$", f" {named}", value)
  if _POSTFIX_WORDS.intersection(value.split()):
    return f"{singular} {value}"
  if aspect and aspect not in _PART_PROPERTIES:
    return f"{value} {singular} {aspect}"
  if not _is_adjective(value):
    if aspect == "shape" and " " not in value:
      return f"{value}-shaped {noun}"
    if aspect == "pattern":
      return f"{noun} with {value}"
  return f"{value} {noun}"


def phrase_book(traits: Sequence[str], overrides: Mapping[str, str] | None = None) -> PhraseBook:
  """Phrases of every trait and group, with ``overrides`` (trait or group name -> phrase)
  replacing the automatic ones.

  Raises:
    ValueError for duplicate trait names or an override naming neither a trait nor a group.
  """
  traits = tuple(traits)
  duplicates = sorted({t for t in traits if traits.count(t) > 1})
  if duplicates:
    raise ValueError(f"duplicate trait names: {duplicates[:5]}")
  groups = tuple(schema.group_of(t) for t in traits)
  overrides = dict(overrides or {})
  unknown = sorted(set(overrides) - set(traits) - set(groups))
  if unknown:
    raise ValueError(f"phrase overrides name unknown traits or groups: {unknown[:5]}")
  phrasings, values = [], []
  for trait, group in zip(traits, groups):
    if trait in overrides:
      phrasings.append((overrides[trait],))
      values.append(overrides[trait])
    elif group == trait:  # A plain phrase: its own group.
      phrasings.append((trait_phrase(trait),))
      values.append(value_words(trait))
    else:  # "yellow petals" and, as telegraphic descriptions put it, "petals yellow".
      phrasings.append(tuple(dict.fromkeys(
          (trait_phrase(trait), f"{group_part(group)} {value_words(trait)}"))))
      values.append(value_words(trait))
  group_phrases, group_parts = {}, {}
  for trait, group, trait_phrasings in zip(traits, groups, phrasings):
    if group in group_phrases:
      continue
    if group == trait:  # A trait that is its own group is about what it says.
      group_phrases[group] = group_parts[group] = overrides.get(group) or trait_phrasings[0]
    else:
      group_phrases[group] = overrides.get(group) or group_phrase(group)
      group_parts[group] = group_part(group)
  return PhraseBook(traits, groups, tuple(phrasings), tuple(values), group_phrases,
                    group_parts)


def read_phrase_book(traits: Sequence[str], overrides_path: str | os.PathLike = "") -> PhraseBook:
  """``phrase_book`` of ``traits`` with the overrides of the file at ``overrides_path`` (none
  when empty)."""
  overrides = read_phrase_overrides(overrides_path) if overrides_path else None
  return phrase_book(traits, overrides)


def read_phrase_overrides(path: str | os.PathLike) -> dict[str, str]:
  """Trait or group name -> phrase, from a JSON object or ``name<TAB>phrase`` lines (blank
  lines and lines starting with ``#`` skipped).

  Raises:
    FileNotFoundError when the file is missing; ValueError naming the first bad entry.
  """
  path = os.fspath(path)
  text = "\n".join(vocabulary.read_lines(path, "phrase overrides file"))
  if text.lstrip().startswith("{"):
    try:
      overrides = json.loads(text)
    except json.JSONDecodeError as e:
      raise ValueError(f"{path}: not valid JSON: {e}") from None
    bad = [k for k, v in overrides.items() if not isinstance(v, str) or not v.strip()]
    if bad:
      raise ValueError(f"{path}: the phrase of {bad[0]!r} must be a non-empty string")
    return {name: phrase.strip() for name, phrase in overrides.items()}
  overrides = {}
  for number, line in enumerate(text.splitlines(), start=1):
    if not line.strip() or line.startswith("#"):
      continue
    name, tab, phrase = line.partition("\t")
    if not tab or not name.strip() or not phrase.strip():
      raise ValueError(f"{path}:{number}: expected 'name<TAB>phrase', got {line!r}")
    overrides[name.strip()] = phrase.strip()
  return overrides
