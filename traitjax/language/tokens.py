"""Tokens and measures: a sentence normalised and tokenised as the rule readers read it, what a
token names in the general vocabulary (a value, a part), the segments of a sentence, the weight
of each token by who and when it describes, and lengths with their units.

A sentence is normalised (lower case, multi-word spellings joined: "eye ring" -> ``eyering``,
compound adjectives opened: "black-footed" -> "black feet"), tokenised and cut into segments at
punctuation and clause words ("with", "while", "but"...).
"""

from __future__ import annotations

import re

from traitjax.language.terms import general

_MULTIWORD_PARTS = sorted((w for w in general.PART_OF_WORD if " " in w), key=len, reverse=True)
_PART_OF_TOKEN = {word.replace(" ", "_"): part for word, part in general.PART_OF_WORD.items()}
_PART_OF_TOKEN["plumaged"] = general.PLUMAGE
# "black-footed", and "black footed" as names written without hyphens have it.
_COMPOUND = re.compile(r"\b([a-z]+(?:-[a-z]+)*)[\s-](" + "|".join(general.COMPOUND_PARTS)
                       + r")\b")
_TOKEN = re.compile(r"[a-z_]+|\d+(?:\.\d+)?|[,;:()\[\]]")
_BREAK_PUNCTUATION = frozenset(",;:()[]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
# How surely a length with its unit gives a size (a size word or a comparison counts less).
MEASURED_SIZE = 1.0
# The words that coordinate parts or values ("head and breast", "black or brown").
CONJUNCTIONS = frozenset({"and", "or"})


def normalise_text(sentence: str) -> str:
  """Lower case, spellings joined, compound adjectives opened, hyphens and dashes spaced."""
  text = sentence.lower().replace("\u2013", " to ").replace("\u2014", " , ")
  for pattern, replacement in general.SPELLINGS:
    text = re.sub(pattern, replacement, text)
  text = _COMPOUND.sub(lambda m: f"{m.group(1)} {general.COMPOUND_PARTS[m.group(2)]}", text)
  text = text.replace("-", " ")
  for words in _MULTIWORD_PARTS:
    text = re.sub(rf"\b{words}\b", words.replace(" ", "_"), text)
  return text


def tokens_of(sentence: str) -> list[str]:
  return _TOKEN.findall(normalise_text(sentence))


def values_of(token: str, following: str | None,
            exact: bool = False) -> dict[str, dict[str, float]]:
  """Aspect -> {value key: strength} that a token names ({} for none). A tone word before a
  colour ("dark brown") modifies it instead of naming a colour of its own. ``exact``: only a
  token that is a key itself names it (no synonyms)."""
  if exact:
    return {aspect: {token: 1.0} for aspect, table in (
        (general.COLOR, general.COLORS), (general.PATTERN, general.PATTERNS),
        (general.SHAPE, general.SHAPES), (general.LENGTH, general.LENGTHS))
            if token in table.get(token, {})}
  values = {}
  colors = general.COLORS.get(token)
  if colors and not (token in general.TONE_WORDS and following in general.COLORS):
    values[general.COLOR] = dict(colors)
  for aspect, table in ((general.PATTERN, general.PATTERNS), (general.SHAPE, general.SHAPES),
                        (general.LENGTH, general.LENGTHS)):
    if token in table:
      values[aspect] = dict(table[token])
  return values


def is_value(token: str) -> bool:
  return bool(values_of(token, None)) or token in general.TONE_WORDS


def part_of(token: str, exact: bool = False) -> str | None:
  """The part a token names; ``exact``: only the part's own word (no synonyms)."""
  if exact:
    return token if token in general.PART_WORDS else None
  if token in _PART_OF_TOKEN:
    return _PART_OF_TOKEN[token]
  if token in general.ORGANISM_WORDS or token in general.FAMILY_SHAPES:
    return general.PLUMAGE
  return None


def names_part(tokens: list[str]) -> bool:
  """Whether the tokens name a part of the organism (not the organism itself)."""
  return any(_PART_OF_TOKEN.get(t, general.PLUMAGE) != general.PLUMAGE for t in tokens)


def segments(tokens: list[str]) -> list[list[int]]:
  """Token positions of each segment (punctuation dropped; a clause word opens a segment; a
  comma in a list of adjectives, "long, pointed wings", does not cut)."""
  segments, current = [], []
  for position, token in enumerate(tokens):
    if token == "," and 0 < position < len(tokens) - 1 and all(
        is_value(t) or t in general.SIZE_WORDS for t in (tokens[position - 1],
                                                          tokens[position + 1])):
      continue
    if token in _BREAK_PUNCTUATION:
      segments.append(current)
      current = []
      continue
    if token in general.CLAUSE_BREAKS and current:
      segments.append(current)
      current = []
    current.append(position)
  segments.append(current)
  return [s for s in segments if s]


def kept_segments(tokens: list[str], without: frozenset[str] = frozenset()) -> list[list[int]]:
  """The segments a reader reads: each cut before its first contrast word ("unlike the female",
  "than a robin": what follows names another organism or part; unless ``without`` holds
  "contrast"), those left empty dropped."""
  kept = []
  for segment in segments(tokens):
    cut = len(segment) if "contrast" in without else next(
        (i for i, p in enumerate(segment) if tokens[p] in general.CONTRAST_WORDS), len(segment))
    if cut:
      kept.append(segment[:cut])
  return kept


def qualifier_weights(tokens: list[str], without: frozenset[str] = frozenset()) -> list[float]:
  """How much each token counts by who and when it describes (``general.QUALIFIERS``: a
  female's colours at 0.6, a juvenile's at 0.4, photos show mostly adults): a qualifier weighs
  the tokens after it, a sentence about eggs or chicks weighs all of them; all 1 when
  ``without`` holds "qualifiers"."""
  weight, previous_qualifier = 1.0, False
  sentence_weight = min([general.QUALIFIERS[t] for t in tokens
                         if general.QUALIFIERS.get(t, 1.0) < general.SENTENCE_QUALIFIER]
                        + [1.0])
  weights = []
  for token in tokens:
    if "qualifiers" in without:
      pass
    elif token in general.QUALIFIERS:
      weight = (min(weight, general.QUALIFIERS[token]) if previous_qualifier
                else general.QUALIFIERS[token])
      previous_qualifier = True
    elif token in ("she", "her"):
      weight, previous_qualifier = general.QUALIFIERS["female"], False
    else:
      previous_qualifier = False
    weights.append(min(weight, sentence_weight))
  return weights


def measure_start(tokens: list[str], position: int) -> int:
  """The first token of the number or range ("16 to 18") before the unit at ``position``."""
  start = position - 1
  while start > 0 and (NUMBER.fullmatch(tokens[start - 1]) or tokens[start - 1] == "to"):
    start -= 1
  return start


def measure(tokens: list[str], start: int, position: int) -> float:
  """The length in inches of the number or range at ``start`` whose unit is at ``position``
  (the middle of a range)."""
  unit = general.UNITS[tokens[position]]
  numbers = [float(t) for t in tokens[start:position] if NUMBER.fullmatch(t)][-2:]
  # A lost dash joins a range into one number ("1618 cm" for 16-18 cm).
  digits = tokens[position - 1]
  if len(numbers) == 1 and numbers[0] * unit > 250 and len(digits) % 2 == 0:
    half = len(digits) // 2
    numbers = [float(digits[:half]), float(digits[half:])]
  return sum(numbers) / len(numbers) * unit
