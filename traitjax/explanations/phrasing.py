"""How an explanation names a trait: a phrase for the trait present and one for it absent.

A trait ``group::value`` of any vocabulary gets a `Phrasing`::

  has_belly_color::yellow            yellow belly                  no yellow belly
  petal_count::five                  five petals                   not five petals
  has_needle_bundle::many            many needles per bundle       not many needles per bundle
  has_flower_showiness::showy        showy flowers                 no showy flowers
  has_flower_sex::separate_sexes     flowers with separate sexes   flowers without separate sexes
  has_bill_length::longer_than_head  bill longer than head         bill not longer than head
  has_size::small_(5_-_9_in)         small size (5-9 in)           size not small (5-9 in)
  fruit::none                        no fruit                      some fruit

A group name is read as a part and an aspect, its last word(s) when listed below: a property
aspect is dropped, its values describing the part ("showy flowers", not "showy flower
showiness"); a sub-part aspect stays ("serrated leaf margin"); a group that is only an aspect is
about the whole organism ("small size"). Parenthesised details of a value are kept at the end.

These phrases are for people only. A sentence encoder and the description parser read
`traitjax.language.phrases.trait_phrase`, which stays as it is (changing it would change parsed
trait tables and model inputs). A phrase override (a vocabulary's phrase file, e.g. EuroSAT's)
is shown as written and its absence worded from it (`absent_phrase`).

A species is shown by `display_name`: ``001.Black_footed_Albatross`` (a CUB folder) ->
``Black-footed Albatross``, ``HerbaceousVegetation`` (EuroSAT) -> ``Herbaceous Vegetation``;
records keep the name itself beside it (`name`), which scripts and tables match.
"""

from __future__ import annotations

import os
import re
from typing import Mapping, NamedTuple, Sequence

from traitjax.data import schema
from traitjax.language import phrases

# Last words of a group name that say which property of the part its values describe: the value
# describes the part itself and the aspect is not repeated ("showy flowers", "simple leaves").
PROPERTY_ASPECTS = frozenset({
    "shape", "pattern", "color", "colour", "length", "size", "texture", "count", "arrangement",
    "type", "showiness", "sex", "lobing", "position", "density", "layout", "structure",
    "form"})
# Last words of a group name that name a sub-part, or a property that reads as a noun of its own:
# kept after the part ("serrated leaf margin", "pinnate leaf venation").
SUBPART_ASPECTS = frozenset({
    "margin", "centre", "center", "tip", "base", "venation", "symmetry"})
# Groups about the organism as a whole though their name has a word before the aspect.
WHOLE_GROUPS = frozenset({"growth form"})
# Property aspects under which a noun value is something the part has ("head with an eyebrow",
# "flowers with separate sexes"); under "shape" a one-word noun value is a "-shaped" adjective,
# and under the others a noun value goes before the part ("samara fruit", "lake water").
NOUN_WITH_ASPECTS = frozenset({"pattern", "sex", "layout", "structure"})

# Groups whose values read only inside a phrase of their own ("{value}": the value's words).
GROUP_TEMPLATES = {
    "needle bundle": "{value} needles per bundle",
    "dominant cover": "mostly {value}",
    "linear features": "{value}",
}
# Present phrases of single traits, by (group words, value words), where no rule reads well.
TRAIT_PHRASES = {
    ("needle bundle", "single"): "one needle per bundle",
}
# Values shown in other words, by (aspect, value words): terms of the CUB attribute list that
# read badly as they stand.
VALUE_WORDS = {
    ("pattern", "solid"): "plain",
    ("pattern", "malar"): "malar stripe",
    ("length", "about the same as head"): "about as long as head",
    ("shape", "chicken-like-marsh"): "chicken-like marsh",
    ("density", "moderate"): "moderately dense",
}
# Part words as a reader knows them (CUB's "primary color" is the colour of the plumage).
PART_WORDS = {"primary": "plumage", "under tail": "undertail", "upper tail": "uppertail"}
# Parts that come in numbers, named in the plural ("blue wings", "dense buildings").
PLURALS = {
    "wing": "wings", "leg": "legs", "eye": "eyes", "foot": "feet", "leaf": "leaves",
    "petal": "petals", "sepal": "sepals", "feather": "feathers", "spine": "spines",
    "thorn": "thorns", "seed": "seeds", "flower": "flowers", "needle": "needles",
    "cone": "cones", "building": "buildings", "field": "fields", "roof": "roofs",
    "tree": "trees"}

# Values that say the part is missing.
ABSENT_VALUES = frozenset({"none", "absent", "no", "lacking", "missing"})
# Words that make a value a comparison or a prepositional phrase, written after the part.
POSTFIX_WORDS = frozenset({"than", "as", "of", "with", "to"})
# First words of a quantity: its absence is "not five petals", never "no five petals".
QUANTITY_WORDS = frozenset({
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "many", "few", "several", "numerous", "multiple", "single"})
# Degree adverbs that open a phrase: its absence is "not mostly cropland".
DEGREE_ADVERBS = frozenset({
    "mostly", "partly", "moderately", "largely", "mainly", "very", "slightly", "rather",
    "fairly", "quite", "densely", "sparsely"})
ARTICLES = frozenset({"a", "an", "the"})
# Adjectives without an adjective suffix (a value that is neither is read as a noun).
ADJECTIVES = frozenset({
    "round", "oval", "square", "flat", "long", "short", "broad", "narrow", "thick", "thin",
    "wide", "straight", "blunt", "plain", "solid", "small", "large", "big", "tiny", "huge",
    "tall", "dark", "light", "pale", "deep", "bright", "dull", "smooth", "rough", "soft",
    "hard", "stout", "slim", "entire", "open", "erect", "even", "odd", "perfect", "simple",
    "opposite", "upright", "medium", "sparse", "dense", "high", "low", "single", "compound",
    "coarse", "fine"})
ADJECTIVE_SUFFIXES = ("ed", "ate", "al", "ar", "ous", "ose", "ic", "ish", "ive", "ful", "less",
                      "like", "ent", "ant", "ile", "oid", "y", "en", "ing")
# Nouns that look like adjectives by their suffix.
NOUNS = frozenset({"eyering", "eye-ring", "ring", "wing", "string", "building", "clearing",
                   "opening", "marking", "canopy", "body", "berry", "family"})
# Openings of words that start with a vowel letter but take "a" ("a unique pattern").
A_BEFORE = ("uni", "use", "usu", "uti", "eu", "one", "once")
VOWELS = "aeiou"

# A species name that is a numbered folder (CUB's ``001.Black_footed_Albatross``): its number.
FOLDER_NUMBER = re.compile(r"^\d+\.(?=\S)")


class Phrasing(NamedTuple):
  """What a person reads for a trait the photo shows (`present`) and one it lacks (`absent`)."""

  present: str
  absent: str


def _words(text: str) -> str:
  """Underscores to spaces, runs of spaces to one, a leading ``has_`` dropped."""
  return " ".join(re.sub(r"^has_", "", text.strip()).replace("_", " ").split())


def _value_and_detail(raw_value: str) -> tuple[str, str]:
  """``small_(5_-_9_in)`` -> (``small``, ``5-9 in``): the value's words and its parenthesised
  detail ("" when none)."""
  details = re.findall(r"\(([^)]*)\)", raw_value)
  value = _words(re.sub(r"\([^)]*\)", " ", raw_value))
  detail = " ".join(_words(d) for d in details)
  return value, re.sub(r"\s*-\s*", "-", detail)


def _split_group(group_words: str) -> tuple[str, str]:
  """(part, aspect) of a group's words: ``bill shape`` -> (``bill``, ``shape``), ``size`` ->
  ("", ``size``), ``growth form`` -> ("", ``growth form``), ``inflorescence`` ->
  (``inflorescence``, "")."""
  if group_words in WHOLE_GROUPS:
    return "", group_words
  words = group_words.split()
  if words and words[-1] in PROPERTY_ASPECTS | SUBPART_ASPECTS:
    return " ".join(words[:-1]), words[-1]
  return group_words, ""


def _part_words(part: str, plural: bool) -> str:
  """A part as a reader names it: ``primary`` -> ``plumage``, ``under tail`` -> ``undertail``;
  ``wing`` -> ``wings`` when ``plural``."""
  part = PART_WORDS.get(part, part)
  words = part.split()
  if not words:
    return ""
  last = PART_WORDS.get(words[-1], words[-1])
  if plural:
    last = PLURALS.get(last, last)
  return " ".join(words[:-1] + [last])


def _is_adjective(value: str) -> bool:
  """Whether a value reads as an adjective (``curved``, ``all-purpose``, ``dark green``) rather
  than a noun (``dagger``, ``eyebrow``, ``separate sexes``)."""
  last = value.split()[-1]
  if last in NOUNS:
    return False
  return "-" in last or last in ADJECTIVES or last.endswith(ADJECTIVE_SUFFIXES)


def _article(noun_phrase: str) -> str:
  """``eyebrow`` -> ``an eyebrow``; a plural (``separate sexes``) keeps no article."""
  if noun_phrase.split()[-1].endswith("s"):
    return noun_phrase
  an = noun_phrase[0] in VOWELS and not noun_phrase.startswith(A_BEFORE)
  return ("an " if an else "a ") + noun_phrase


def _with_detail(phrase: str, detail: str) -> str:
  return f"{phrase} ({detail})" if detail else phrase


def absent_phrase(phrase: str) -> str:
  """The absence of what a present phrase names: "no yellow belly", "not five petals", "not
  mostly cropland", "no river channel" (of "a river channel"), "head without an eyebrow",
  "some fruit" (of "no fruit")."""
  words = phrase.split()
  first = words[0].lower() if words else ""
  if first == "no":
    return " ".join(["some"] + words[1:])
  if first in ARTICLES:
    return " ".join(["no"] + words[1:])
  if is_quantity(phrase) or first in DEGREE_ADVERBS:
    return f"not {phrase}"
  if " with " in phrase:  # "head with an eyebrow": the part is there, without what it had.
    return phrase.replace(" with ", " without ", 1)
  return f"no {phrase}"


def trait_phrasing(name: str, phrase: str | None = None) -> Phrasing:
  """The `Phrasing` of a trait name (see the module docstring), or of `phrase`, an override to
  show for it as written (its absence from `absent_phrase`)."""
  if phrase is not None:
    return Phrasing(phrase, absent_phrase(phrase))
  if schema.GROUP_SEPARATOR not in name:
    present = _words(name)
    return Phrasing(present, absent_phrase(present))
  group, raw_value = name.split(schema.GROUP_SEPARATOR, 1)
  group_words = _words(group)
  part, aspect = _split_group(group_words)
  value, detail = _value_and_detail(raw_value)
  if not value:
    raise ValueError(f"trait {name!r} has no value after {schema.GROUP_SEPARATOR!r}")
  value = VALUE_WORDS.get((aspect, value), value)
  if (group_words, value) in TRAIT_PHRASES:
    present = _with_detail(TRAIT_PHRASES[(group_words, value)], detail)
    return Phrasing(present, absent_phrase(present))
  if value in ABSENT_VALUES:  # "no fruit" present; its absence says there is some.
    missing = _part_words(part, plural=True) or aspect
    if aspect in SUBPART_ASPECTS:
      missing = f"{_part_words(part, plural=False)} {aspect}"
    return Phrasing(f"no {missing}", f"some {missing}")
  if group_words in GROUP_TEMPLATES:
    present = _with_detail(GROUP_TEMPLATES[group_words].format(value=value), detail)
    return Phrasing(present, absent_phrase(present))
  if not part:  # The whole organism: "small size", its absence "size not small".
    return Phrasing(_with_detail(f"{value} {aspect}", detail),
                    _with_detail(f"{aspect} not {value}", detail))
  singular, plural = _part_words(part, plural=False), _part_words(part, plural=True)
  if POSTFIX_WORDS.intersection(value.split()):  # "bill longer than head".
    return Phrasing(_with_detail(f"{singular} {value}", detail),
                    _with_detail(f"{singular} not {value}", detail))
  present = _present(value, aspect, singular, plural)
  return Phrasing(_with_detail(present, detail), _with_detail(absent_phrase(present), detail))


def _present(value: str, aspect: str, singular: str, plural: str) -> str:
  """The present phrase of a value of a part (not whole-organism, not a comparison)."""
  for named in (plural, singular):  # The value names the part itself: "rounded-wings".
    if re.search(rf"(^|[\s-]){re.escape(named)}$", value):
      return re.sub(rf"-{re.escape(named)}$", f" {named}", value)
  if aspect in SUBPART_ASPECTS:
    return f"{value} {singular} {aspect}"
  if is_quantity(value) or _is_adjective(value):
    return f"{value} {plural}"
  if aspect == "shape" and " " not in value:
    return f"{value}-shaped {plural}"
  if aspect in NOUN_WITH_ASPECTS:
    return f"{plural} with {_article(value)}"
  return f"{value} {plural}"


def is_quantity(value: str) -> bool:
  """Whether a value (or phrase) opens with a number or quantity word ("five", "many", "2")."""
  first = value.split()[0].lower() if value.split() else ""
  return first in QUANTITY_WORDS or first[:1].isdigit()


def value_text(name: str) -> str:
  """The words of a trait's value as its present phrase shows them (``has_back_pattern::solid``
  -> ``plain``), for coordinating values of one group ("grey and red colour")."""
  if schema.GROUP_SEPARATOR not in name:
    return _words(name)
  group, raw_value = name.split(schema.GROUP_SEPARATOR, 1)
  _, aspect = _split_group(_words(group))
  value, _ = _value_and_detail(raw_value)
  return VALUE_WORDS.get((aspect, value), value)


def trait_phrasings(traits: Sequence[str],
                    overrides: Mapping[str, str] | None = None) -> tuple[Phrasing, ...]:
  """The `Phrasing` of each trait, an override phrase (trait name -> phrase, as a phrase file
  gives them; group names there name encoder phrases only) shown as written.

  Raises:
    ValueError for an override naming neither a trait nor a group.
  """
  overrides = dict(overrides or {})
  unknown = sorted(set(overrides) - set(traits) - {schema.group_of(t) for t in traits})
  if unknown:
    raise ValueError(f"phrase overrides name unknown traits or groups: {unknown[:5]}")
  return tuple(trait_phrasing(name, overrides.get(name)) for name in traits)


def read_trait_phrasings(traits: Sequence[str],
                         overrides_path: str | os.PathLike = "") -> tuple[Phrasing, ...]:
  """`trait_phrasings` with the overrides of a phrase file (`phrases.read_phrase_overrides`;
  none when the path is empty)."""
  overrides = phrases.read_phrase_overrides(overrides_path) if overrides_path else None
  return trait_phrasings(traits, overrides)


def as_phrasings(traits: Sequence[str],
                 given: Sequence[str | Phrasing] | None) -> tuple[Phrasing, ...]:
  """`given` as T phrasings: None -> `trait_phrasings` of the names; a plain string is a phrase
  to show for its trait as written (an override)."""
  if given is None:
    return trait_phrasings(traits)
  given = tuple(given)
  if len(given) != len(traits):
    raise ValueError(f"expected {len(traits)} trait phrases (one per trait), got {len(given)}")
  return tuple(item if isinstance(item, Phrasing) else trait_phrasing(name, item)
               for name, item in zip(traits, given))


def display_name(species: str) -> str:
  """A species as a person reads it (the module docstring): a folder's number dropped and its
  underscores made spaces, a lower-case word of such a name joined to the word before it by a
  hyphen (CUB capitalises every word but the second half of a compound: ``Black_footed``,
  ``Black_and_white``); a name of one word in CamelCase split at its capitals; any other name
  (``Rosa alba``, ``Acer_rubrum``: underscores made spaces) as it is."""
  name = species.strip()
  folder = FOLDER_NUMBER.match(name)
  if folder:
    words = name[folder.end():].replace("_", " ").split()
    joined = []
    for word in words:
      if joined and word[:1].islower():
        joined[-1] += "-" + word
      else:
        joined.append(word)
    return " ".join(joined) or name
  if re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+", name):
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
  return " ".join(name.replace("_", " ").split()) or name
