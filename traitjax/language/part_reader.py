"""Reading what a sentence says about each part of an organism (a bird's crown, a flower's
petals), with the general vocabulary (``terms.general``).

Within a segment (`tokens_lib.segments`) every value word (a colour, pattern, shape or length) is
attached to a part:

- *after* a part, with only linking verbs, adverbs and other values between ("the bill is long
  and hooked", "legs pink", "head and breast black");
- else *before* the next part, with only function words between ("a black head and breast",
  "white patches on the wings");
- else to the segment's subject: the last parts of an earlier segment of the sentence ("the
  bill is long, hooked and yellow"), or the organism itself ("a large, dark seabird").

A value attached to several coordinated parts ("black head and breast") is said of each. The
organism's colours are its plumage's; size words, lengths ("16-18 cm", "6 in"; not wingspans)
and comparisons ("sparrow-sized", "larger than a robin") give its size; family words
("seabird", "gull-like") its body shape. Around them:

- negation ("no wing bars", "lacks streaks", "not spotted") flips what follows in the segment;
- contrast ("unlike the female", "than a robin") drops what follows in the segment
  (`tokens_lib.kept_segments`);
- sex, age and season qualifiers ("female", "juvenile", "in winter") weigh the values after
  them in the sentence (`tokens_lib.qualifier_weights`): photos show mostly adults.
"""

from __future__ import annotations

from typing import Iterable

from traitjax.language import mentions
from traitjax.language import tokens as tokens_lib
from traitjax.language.terms import general

# Strength of a family word that is not the subject of the sentence, nor "X-like".
PASSING_FAMILY = 0.3
# Size of the organism: how much a size word and a comparison count against a number with a
# unit (`tokens.MEASURED_SIZE`).
SIZE_WORD = 0.7
COMPARED_SIZE = 0.8
# "larger than a robin": the reference length times this (or divided, for "smaller").
COMPARISON_FACTOR = 1.3
_DETERMINERS = frozenset({"a", "an", "the", "its", "their", "his", "her", "this", "these"})


def read(tokens: list[str], segments: list[list[int]], weights: list[float],
         without: frozenset[str] = frozenset()) -> list[mentions.Mention]:
  """The mentions of the values, parts, sizes and families in a sentence's kept segments
  (`tokens_lib.kept_segments`), each weighed by its token's qualifier weight, leaving out the
  steps ``without`` names (``rule_reader.FEATURES``)."""
  exact = "synonyms" in without
  found: list[mentions.Mention] = []
  subject = [None]  # The parts an earlier segment spoke about (None: the organism).
  for kept in segments:
    negated_from = None if "negation" in without else next(
        (p for p in kept if tokens[p] in general.NEGATIONS), None)
    parts = [p for p in kept if tokens_lib.part_of(tokens[p], exact) and not (
        p + 1 < len(tokens) and tokens[p + 1] == general.LIKE_SUFFIX)]
    said = []  # (position, aspect, {key: strength}, attached parts)
    for index, position in enumerate(kept):
      following = tokens[kept[index + 1]] if index + 1 < len(kept) else None
      values = ({} if position in parts
                else tokens_lib.values_of(tokens[position], following, exact))
      if not values:  # A part that names a pattern ("wing bars") says it below.
        continue
      attached = _attach(position, parts, tokens, kept, subject)
      if "coordination" in without:
        attached = attached[:1]
      said.append((position, values, attached))
    for position, values, attached in said:
      negated = negated_from is not None and position > negated_from
      for part_position in attached:
        part = (tokens_lib.part_of(tokens[part_position], exact) if part_position is not None
                else general.PLUMAGE)
        found.extend(_mentions(part, values, weights[position], negated, tokens[position],
                               "size" not in without))
    # Parts that name a pattern themselves ("a crest", "wing bars", "a black cap").
    for position in parts:
      patterns = {} if exact else general.PATTERNS.get(tokens[position], {})
      for key, strength in patterns.items():
        part = ("head" if key in general.HEAD_PATTERNS
                else tokens_lib.part_of(tokens[position], exact))
        negated = negated_from is not None and position > negated_from
        found.append(mentions.Mention(part, general.PATTERN, key,
                                      strength * weights[position], negated))
    if "size" not in without:
      found.extend(_size_mentions(tokens, kept, weights))
    if "family" not in without:
      found.extend(_family_mentions(tokens, kept, weights))
    if parts:
      last = parts[-1]
      subject = _part_group(parts, len(parts) - 1, tokens, -1)
      if tokens_lib.part_of(tokens[last], exact) == general.PLUMAGE:
        subject = [None]
  for position, inches in ([] if "size" in without else _lengths(tokens)):
    found.append(mentions.Mention(general.PLUMAGE, general.SIZE, "",
                                  tokens_lib.MEASURED_SIZE * weights[position], inches=inches))
  return found


def _part_group(parts: list[int], start: int, tokens: list[str], step: int) -> list[int]:
  """The coordinated parts around ``parts[start]`` in direction ``step`` (+1: "head and
  breast" after a prefix value; -1: "head and breast" before a postfix value)."""
  group = [parts[start]]
  index = start + step
  while 0 <= index < len(parts):
    low, high = sorted((group[-1], parts[index]))
    between = tokens[low + 1:high]
    if not between or not all(t in ("and", "or", "the", "its", "their", "her", "his")
                              for t in between):
      break
    group.append(parts[index])
    index += step
  return group


def _blocks(token: str) -> bool:
  """Whether a word between a value and a part cuts them apart (not an adverb in -ly)."""
  return not (token.endswith("ly") or token in general.FUNCTION_WORDS
              or token in general.LINKING_VERBS or token in general.TONE_WORDS
              or token in general.SIZE_INTENSIFIERS or token in general.COLORS
              or token in general.PATTERNS or token in general.SHAPES or token in general.LENGTHS)


def _lengths(tokens: list[str]) -> Iterable[tuple[int, float]]:
  """(position, inches) of the organism lengths a sentence gives ("16 to 18 cm"); a length
  in parentheses after another is its conversion and skipped."""
  found = False
  for position, token in enumerate(tokens):
    unit = general.UNITS.get(token)
    if unit is None or position == 0 or not tokens_lib.NUMBER.fullmatch(tokens[position - 1]):
      continue
    before = tokens[max(0, position - 8):position]
    after = tokens[position + 1:position + 3]
    if general.NOT_BODY_LENGTH.intersection(before + after):
      continue
    start = tokens_lib.measure_start(tokens, position)
    if found and start > 0 and tokens[start - 1] == "(":
      continue
    inches = tokens_lib.measure(tokens, start, position)
    if 1.0 <= inches <= 250.0:
      found = True
      yield position, inches


def _prefix_path(tokens: list[str]) -> bool:
  """Whether the words between a value and the part after it keep them together ("black and
  white patches on the wings"): no content word, no verb, "and" only between values."""
  tokens = [t for t in tokens if t != ","]  # Commas left in a list of adjectives.
  for index, token in enumerate(tokens):
    if token in tokens_lib.CONJUNCTIONS:
      if not (index + 1 < len(tokens) and tokens_lib.is_value(tokens[index + 1])):
        return False
    elif token in general.LINKING_VERBS or _blocks(token):
      return False
  return True


def _postfix_path(tokens: list[str]) -> bool:
  """Whether the words between a part and a value after it say the value of the part ("legs
  are pink", "bill long and hooked"): verbs, adverbs and values, "and" only after a value."""
  tokens = [t for t in tokens if t != ","]
  for index, token in enumerate(tokens):
    if token in tokens_lib.CONJUNCTIONS:
      if not (index > 0 and tokens_lib.is_value(tokens[index - 1])):
        return False
    elif token in _DETERMINERS or _blocks(token):
      return False
    elif not (token in general.LINKING_VERBS or tokens_lib.is_value(token) or token.endswith("ly")
              or token in general.SIZE_INTENSIFIERS or token in general.FUNCTION_WORDS):
      return False
  return True


def _attach(position: int, parts: list[int], tokens: list[str], segment: list[int],
            subject: list) -> list:
  """The part positions a value at ``position`` is said of (None: the organism)."""
  before = [i for i, p in enumerate(parts) if p < position]
  after = [i for i, p in enumerate(parts) if p > position]
  postfix = bool(before) and _postfix_path(tokens[parts[before[-1]] + 1:position])
  prefix = bool(after) and _prefix_path(tokens[position + 1:parts[after[0]]])
  if postfix and prefix:  # "head black and breast white": telegraphic, the value follows.
    prefix = not tokens_lib.CONJUNCTIONS.intersection(tokens[position + 1:parts[after[0]]])
  if prefix:
    return _part_group(parts, after[0], tokens, +1)
  if postfix:
    return _part_group(parts, before[-1], tokens, -1)
  if before:
    return []  # Cut from both sides: said of something the vocabulary does not know.
  rest = [tokens[p] for p in segment if p > position]
  following = next((t for t in rest
                    if not tokens_lib.is_value(t) and t not in tokens_lib.CONJUNCTIONS), None)
  if following is not None and _blocks(following):
    return []  # "sandy beaches": said of a noun the vocabulary does not know.
  return list(subject)


def _mentions(part: str, values: dict, weight: float, negated: bool, token: str,
              with_size: bool) -> Iterable[mentions.Mention]:
  for aspect, keys in values.items():
    if aspect == general.LENGTH and part != "bill":
      continue
    if aspect == general.SHAPE and part == general.PLUMAGE:
      continue
    for key, strength in keys.items():
      if aspect == general.PATTERN and key in general.HEAD_PATTERNS:
        part = "head"
      yield mentions.Mention(part, aspect, key, strength * weight, negated)
  if with_size and part == general.PLUMAGE and token in general.SIZE_WORDS:
    yield mentions.Mention(part, general.SIZE, "", SIZE_WORD * weight, negated,
                           general.SIZE_WORDS[token])


def _reference_length(token: str) -> float | None:
  """The length (inches) of a familiar organism a word names, in the singular or plural."""
  return general.REFERENCE_LENGTHS.get(token.rstrip("s"), general.REFERENCE_LENGTHS.get(token))


def _size_mentions(tokens: list[str], segment: list[int],
                   weights: list[float]) -> Iterable[mentions.Mention]:
  """Sizes from comparisons with familiar organisms ("sparrow-sized", "larger than a
  robin")."""
  for index, position in enumerate(segment):
    token = tokens[position]
    reference = _reference_length(token)
    if reference is None:
      continue
    before = [tokens[p] for p in segment[max(0, index - 3):index]]
    after = tokens[position + 1] if position + 1 < len(tokens) else ""
    if after == "sized" or ("size" in before and "of" in before):  # "the size of a robin"
      yield mentions.Mention(general.PLUMAGE, general.SIZE, "",
                             COMPARED_SIZE * weights[position], inches=reference)
  # "larger than a robin": the comparison sits after the contrast cut, so read the whole
  # sentence for it.
  for index, position in enumerate(segment):
    if tokens[position] in ("larger", "bigger", "smaller") and position + 3 < len(tokens):
      for token in tokens[position + 1:position + 4]:
        reference = _reference_length(token)
        if reference is not None:
          factor = COMPARISON_FACTOR if tokens[position] != "smaller" else 1 / COMPARISON_FACTOR
          yield mentions.Mention(general.PLUMAGE, general.SIZE, "",
                                 COMPARED_SIZE * weights[position], inches=reference * factor)
          break


def _names_the_organism(tokens: list[str], position: int) -> bool:
  """Whether the word at ``position`` is what the organism is said to be: after a linking
  verb with only articles and adjectives between ("is a large seabird"), or "X-like"."""
  if position + 1 < len(tokens) and tokens[position + 1] == general.LIKE_SUFFIX:
    return True
  for back in range(position - 1, max(-1, position - 8), -1):
    token = tokens[back]
    if token in general.LINKING_VERBS:
      return True
    if not (token in _DETERMINERS or tokens_lib.is_value(token) or token in general.SIZE_WORDS
            or token in general.SIZE_INTENSIFIERS or token in (",", "sized")):
      return False
  return position < 8  # The sentence opens with it: "A medium-sized hawk with...".


def _family_mentions(tokens: list[str], segment: list[int],
                     weights: list[float]) -> Iterable[mentions.Mention]:
  for position in segment:
    shapes = general.FAMILY_SHAPES.get(tokens[position])
    if not shapes:
      continue
    strength = 1.0 if _names_the_organism(tokens, position) else PASSING_FAMILY
    for key, word_strength in shapes.items():
      yield mentions.Mention(general.PLUMAGE, general.SHAPE, key,
                             strength * word_strength * max(weights[position], 0.5))
