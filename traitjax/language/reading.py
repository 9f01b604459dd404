"""Reading what a description says about each part, with the closed vocabulary of ``lexicon``.

A sentence is normalised (lower case, multi-word spellings joined: "eye ring" -> ``eyering``,
compound adjectives opened: "black-footed" -> "black feet"), tokenised and cut into segments
at punctuation and clause words ("with", "while", "but"...). Within a segment every value word
(a colour, pattern, shape or length) is attached to a part:

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
- contrast ("unlike the female", "than a robin") drops what follows in the segment;
- sex, age and season qualifiers ("female", "juvenile", "in winter") weigh the values after
  them in the sentence (``lexicon.QUALIFIERS``): photos show mostly adults.

Landscapes and plants (the phrase tables ``lexicon.TERMS``) are read by phrase instead: each
pattern found in a segment names a characteristic of the tile or the plant, denied after a
negation in the segment, in a list that continues a negated one ("no fields, buildings or
roads") or before a denying word ("buildings are absent"). A plant's colours, textures and
positions are its organs' (``Terms.group_organs``): a phrase is said of an organ it names, of
the organ word just after it ("white fragrant flowers"), else of the last one before it in the
segment ("the bark is grey"), else of the organ an earlier segment of the sentence named ("The
fruit is a cone, brown when ripe"); lengths with a unit said of an organ give its size class
("leaves 5-10 cm long").

The result is a list of ``Mention`` per sentence, and whether the sentence is about
appearance at all (it says something, names a part, or uses an appearance word). Each step
can be left out for an ablation (``FEATURES``).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Iterable

from traitjax.language import clauses
from traitjax.language import lexicon

# Strength of a family word that is not the subject of the sentence, nor "X-like".
PASSING_FAMILY = 0.3
# Size of the organism: how much a number with a unit counts against a size word.
MEASURED_SIZE = 1.0
SIZE_WORD = 0.7
COMPARED_SIZE = 0.8
# "larger than a robin": the reference length times this (or divided, for "smaller").
COMPARISON_FACTOR = 1.3


# Steps of the reader that ``read_sentence(..., without=...)`` can leave out.
FEATURES = ("synonyms", "coordination", "negation", "contrast", "qualifiers", "size",
            "family")


@dataclasses.dataclass(frozen=True)
class Mention:
  """One thing a sentence says.

  Attributes:
    part: a part key of ``lexicon.PART_WORDS`` (``lexicon.PLUMAGE`` for the organism); the
      subject of a phrase table (``lexicon.SCENE`` for a landscape, ``lexicon.PLANT``).
    aspect: ``lexicon.COLOR``, ``PATTERN``, ``SHAPE``, ``LENGTH`` or ``SIZE``; a group of
      the phrase table for a phrase.
    value: the value key ("rufous", "striped", "gull like"); "" for a size;
      ``lexicon.GROUP_ANY`` for a phrase table's group named without a value.
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


_MULTIWORD_PARTS = sorted((w for w in lexicon.PART_OF_WORD if " " in w), key=len, reverse=True)
_PART_OF_TOKEN = {word.replace(" ", "_"): part for word, part in lexicon.PART_OF_WORD.items()}
_PART_OF_TOKEN["plumaged"] = lexicon.PLUMAGE
# "black-footed", and "black footed" as names written without hyphens have it.
_COMPOUND = re.compile(r"\b([a-z]+(?:-[a-z]+)*)[\s-](" + "|".join(lexicon.COMPOUND_PARTS)
                       + r")\b")
_TOKEN = re.compile(r"[a-z_]+|\d+(?:\.\d+)?|[,;:()\[\]]")
_BREAK_PUNCTUATION = frozenset(",;:()[]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def normalise_text(sentence: str) -> str:
  """Lower case, spellings joined, compound adjectives opened, hyphens and dashes spaced."""
  text = sentence.lower().replace("\u2013", " to ").replace("\u2014", " , ")
  for pattern, replacement in lexicon.SPELLINGS:
    text = re.sub(pattern, replacement, text)
  text = _COMPOUND.sub(lambda m: f"{m.group(1)} {lexicon.COMPOUND_PARTS[m.group(2)]}", text)
  text = text.replace("-", " ")
  for words in _MULTIWORD_PARTS:
    text = re.sub(rf"\b{words}\b", words.replace(" ", "_"), text)
  return text


def tokens_of(sentence: str) -> list[str]:
  return _TOKEN.findall(normalise_text(sentence))


def _segments(tokens: list[str]) -> list[list[int]]:
  """Token positions of each segment (punctuation dropped; a clause word opens a segment; a
  comma in a list of adjectives, "long, pointed wings", does not cut)."""
  segments, current = [], []
  for position, token in enumerate(tokens):
    if token == "," and 0 < position < len(tokens) - 1 and all(
        _is_value(t) or t in lexicon.SIZE_WORDS for t in (tokens[position - 1],
                                                          tokens[position + 1])):
      continue
    if token in _BREAK_PUNCTUATION:
      segments.append(current)
      current = []
      continue
    if token in lexicon.CLAUSE_BREAKS and current:
      segments.append(current)
      current = []
    current.append(position)
  segments.append(current)
  return [s for s in segments if s]


def _values(token: str, following: str | None,
            exact: bool = False) -> dict[str, dict[str, float]]:
  """Aspect -> {value key: strength} that a token names ({} for none). A tone word before a
  colour ("dark brown") modifies it instead of naming a colour of its own. ``exact``: only a
  token that is a key itself names it (no synonyms)."""
  if exact:
    return {aspect: {token: 1.0} for aspect, table in (
        (lexicon.COLOR, lexicon.COLORS), (lexicon.PATTERN, lexicon.PATTERNS),
        (lexicon.SHAPE, lexicon.SHAPES), (lexicon.LENGTH, lexicon.LENGTHS))
            if token in table.get(token, {})}
  values = {}
  colors = lexicon.COLORS.get(token)
  if colors and not (token in lexicon.TONE_WORDS and following in lexicon.COLORS):
    values[lexicon.COLOR] = dict(colors)
  for aspect, table in ((lexicon.PATTERN, lexicon.PATTERNS), (lexicon.SHAPE, lexicon.SHAPES),
                        (lexicon.LENGTH, lexicon.LENGTHS)):
    if token in table:
      values[aspect] = dict(table[token])
  return values


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


def _part_of(token: str, exact: bool = False) -> str | None:
  """The part a token names; ``exact``: only the part's own word (no synonyms)."""
  if exact:
    return token if token in lexicon.PART_WORDS else None
  if token in _PART_OF_TOKEN:
    return _PART_OF_TOKEN[token]
  if token in lexicon.ORGANISM_WORDS or token in lexicon.FAMILY_SHAPES:
    return lexicon.PLUMAGE
  return None


def _blocks(token: str) -> bool:
  """Whether a word between a value and a part cuts them apart (not an adverb in -ly)."""
  return not (token.endswith("ly") or token in lexicon.FUNCTION_WORDS
              or token in lexicon.LINKING_VERBS or token in lexicon.TONE_WORDS
              or token in lexicon.SIZE_INTENSIFIERS or token in lexicon.COLORS
              or token in lexicon.PATTERNS or token in lexicon.SHAPES or token in lexicon.LENGTHS)


def _lengths(tokens: list[str]) -> Iterable[tuple[int, float]]:
  """(position, inches) of the organism lengths a sentence gives ("16 to 18 cm"); a length
  in parentheses after another is its conversion and skipped."""
  found = False
  for position, token in enumerate(tokens):
    unit = lexicon.UNITS.get(token)
    if unit is None or position == 0 or not _NUMBER.fullmatch(tokens[position - 1]):
      continue
    before = tokens[max(0, position - 8):position]
    after = tokens[position + 1:position + 3]
    if lexicon.NOT_BODY_LENGTH.intersection(before + after):
      continue
    start = _measure_start(tokens, position)
    if found and start > 0 and tokens[start - 1] == "(":
      continue
    inches = _measure(tokens, start, position)
    if 1.0 <= inches <= 250.0:
      found = True
      yield position, inches


def _measure_start(tokens: list[str], position: int) -> int:
  """The first token of the number or range ("16 to 18") before the unit at ``position``."""
  start = position - 1
  while start > 0 and (_NUMBER.fullmatch(tokens[start - 1]) or tokens[start - 1] == "to"):
    start -= 1
  return start


def _measure(tokens: list[str], start: int, position: int) -> float:
  """The length in inches of the number or range at ``start`` whose unit is at ``position``
  (the middle of a range)."""
  unit = lexicon.UNITS[tokens[position]]
  numbers = [float(t) for t in tokens[start:position] if _NUMBER.fullmatch(t)][-2:]
  # A lost dash joins a range into one number ("1618 cm" for 16-18 cm).
  digits = tokens[position - 1]
  if len(numbers) == 1 and numbers[0] * unit > 250 and len(digits) % 2 == 0:
    half = len(digits) // 2
    numbers = [float(digits[:half]), float(digits[half:])]
  return sum(numbers) / len(numbers) * unit


def read_sentence(sentence: str, without: frozenset[str] = frozenset(),
                  terms: Iterable[str] = ()) -> Reading:
  """The mentions of one sentence (module docstring), leaving out the steps ``without``
  names (of ``FEATURES``) and reading the phrases of the tables ``terms`` names (keys of
  ``lexicon.TERMS``: ``lexicon.SCENE`` for landscapes, ``lexicon.PLANT``); phrases are most of
  the reading's time, and no other vocabulary's trait reads them.

  Raises:
    ValueError for an unknown feature or phrase table.
  """
  unknown = set(without) - set(FEATURES)
  if unknown:
    raise ValueError(f"unknown reader features {sorted(unknown)}; known: {FEATURES}")
  terms = tuple(terms)
  unknown = set(terms) - set(lexicon.TERMS)
  if unknown:
    raise ValueError(f"unknown phrase tables {sorted(unknown)}; known: {sorted(lexicon.TERMS)}")
  tables = [_TABLES[name] for name in terms]
  topics = [None] * len(tables)  # The organs an earlier segment named, for each table.
  exact = "synonyms" in without
  tokens = tokens_of(sentence)
  mentions: list[Mention] = []
  weight, previous_qualifier = 1.0, False
  sentence_weight = min([lexicon.QUALIFIERS[t] for t in tokens
                         if lexicon.QUALIFIERS.get(t, 1.0) < lexicon.SENTENCE_QUALIFIER]
                        + [1.0])
  weights = []
  for token in tokens:
    if "qualifiers" in without:
      pass
    elif token in lexicon.QUALIFIERS:
      weight = (min(weight, lexicon.QUALIFIERS[token]) if previous_qualifier
                else lexicon.QUALIFIERS[token])
      previous_qualifier = True
    elif token in ("she", "her"):
      weight, previous_qualifier = lexicon.QUALIFIERS["female"], False
    else:
      previous_qualifier = False
    weights.append(min(weight, sentence_weight))

  subject = [None]  # The parts an earlier segment spoke about (None: the organism).
  list_negated = False  # The previous segment denied what it named.
  for segment in _segments(tokens):
    cut = len(segment) if "contrast" in without else next(
        (i for i, p in enumerate(segment) if tokens[p] in lexicon.CONTRAST_WORDS), len(segment))
    if cut == 0:
      continue
    kept = segment[:cut]
    negated_from = None if "negation" in without else next(
        (p for p in kept if tokens[p] in lexicon.NEGATIONS), None)
    parts = [p for p in kept if _part_of(tokens[p], exact) and not (
        p + 1 < len(tokens) and tokens[p + 1] == lexicon.LIKE_SUFFIX)]
    said = []  # (position, aspect, {key: strength}, attached parts)
    for index, position in enumerate(kept):
      following = tokens[kept[index + 1]] if index + 1 < len(kept) else None
      values = {} if position in parts else _values(tokens[position], following, exact)
      if not values:  # A part that names a pattern ("wing bars") says it below.
        continue
      attached = _attach(position, parts, tokens, kept, subject)
      if "coordination" in without:
        attached = attached[:1]
      said.append((position, values, attached))
    for position, values, attached in said:
      negated = negated_from is not None and position > negated_from
      for part_position in attached:
        part = (_part_of(tokens[part_position], exact) if part_position is not None
                else lexicon.PLUMAGE)
        mentions.extend(_mentions(part, values, weights[position], negated, tokens[position],
                                  "size" not in without))
    # Parts that name a pattern themselves ("a crest", "wing bars", "a black cap").
    for position in parts:
      patterns = {} if exact else lexicon.PATTERNS.get(tokens[position], {})
      for key, strength in patterns.items():
        part = "head" if key in lexicon.HEAD_PATTERNS else _part_of(tokens[position], exact)
        negated = negated_from is not None and position > negated_from
        mentions.append(Mention(part, lexicon.PATTERN, key, strength * weights[position],
                                negated))
    if "size" not in without:
      mentions.extend(_size_mentions(tokens, kept, weights))
    if "family" not in without:
      mentions.extend(_family_mentions(tokens, kept, weights))
    if tables:
      continues = (list_negated and tokens[kept[0]] not in lexicon.CLAUSE_BREAKS
                   and not lexicon.LINKING_VERBS.intersection(tokens[p] for p in kept))
      # "absent" denies what comes before it in a phrase ("buildings are absent or limited
      # to a single farmstead"), not after.
      phrase_negated_from = None if "negation" in without else next(
          (p for p in kept if tokens[p] in lexicon.NEGATIONS
           and tokens[p] not in lexicon.POSTPOSED_NEGATIONS), None)
      for index, table in enumerate(tables):
        weighed = weights if table.terms.qualified else [1.0] * len(tokens)
        mentions.extend(_phrase_mentions(table, tokens, kept, phrase_negated_from,
                                         continues and table.terms.negated_lists, weighed,
                                         topics[index]))
        if table.terms.sizes and "size" not in without:
          mentions.extend(_size_terms(table, tokens, kept, weighed, topics[index]))
        topics[index] = _topic(table, tokens, kept, topics[index])
      list_negated = phrase_negated_from is not None or continues
    if parts:
      last = parts[-1]
      subject = _part_group(parts, len(parts) - 1, tokens, -1)
      if _part_of(tokens[last], exact) == lexicon.PLUMAGE:
        subject = [None]
  for position, inches in ([] if "size" in without else _lengths(tokens)):
    mentions.append(Mention(lexicon.PLUMAGE, lexicon.SIZE, "", MEASURED_SIZE * weights[position],
                            inches=inches))
  # A landscape an organism's text names is its habitat, not its appearance.
  about = (any(m.strength > PASSING_FAMILY for m in mentions
               if not (m.aspect == lexicon.SHAPE and m.part == lexicon.PLUMAGE)
               and m.part != lexicon.SCENE)
           or bool(lexicon.APPEARANCE_WORDS.intersection(tokens)))
  names_part = any(_PART_OF_TOKEN.get(t, lexicon.PLUMAGE) != lexicon.PLUMAGE for t in tokens)
  names_phrase = any(m.part in lexicon.TERMS for m in mentions)
  return Reading(sentence, tuple(mentions), about, names_part, names_phrase)


_DETERMINERS = frozenset({"a", "an", "the", "its", "their", "his", "her", "this", "these"})
_CONJUNCTIONS = frozenset({"and", "or"})


def _is_value(token: str) -> bool:
  return bool(_values(token, None)) or token in lexicon.TONE_WORDS


def _prefix_path(tokens: list[str]) -> bool:
  """Whether the words between a value and the part after it keep them together ("black and
  white patches on the wings"): no content word, no verb, "and" only between values."""
  tokens = [t for t in tokens if t != ","]  # Commas left in a list of adjectives.
  for index, token in enumerate(tokens):
    if token in _CONJUNCTIONS:
      if not (index + 1 < len(tokens) and _is_value(tokens[index + 1])):
        return False
    elif token in lexicon.LINKING_VERBS or _blocks(token):
      return False
  return True


def _postfix_path(tokens: list[str]) -> bool:
  """Whether the words between a part and a value after it say the value of the part ("legs
  are pink", "bill long and hooked"): verbs, adverbs and values, "and" only after a value."""
  tokens = [t for t in tokens if t != ","]
  for index, token in enumerate(tokens):
    if token in _CONJUNCTIONS:
      if not (index > 0 and _is_value(tokens[index - 1])):
        return False
    elif token in _DETERMINERS or _blocks(token):
      return False
    elif not (token in lexicon.LINKING_VERBS or _is_value(token) or token.endswith("ly")
              or token in lexicon.SIZE_INTENSIFIERS or token in lexicon.FUNCTION_WORDS):
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
    prefix = not _CONJUNCTIONS.intersection(tokens[position + 1:parts[after[0]]])
  if prefix:
    return _part_group(parts, after[0], tokens, +1)
  if postfix:
    return _part_group(parts, before[-1], tokens, -1)
  if before:
    return []  # Cut from both sides: said of something the vocabulary does not know.
  rest = [tokens[p] for p in segment if p > position]
  following = next((t for t in rest if not _is_value(t) and t not in _CONJUNCTIONS), None)
  if following is not None and _blocks(following):
    return []  # "sandy beaches": said of a noun the vocabulary does not know.
  return list(subject)


def _mentions(part: str, values: dict, weight: float, negated: bool, token: str,
              with_size: bool) -> Iterable[Mention]:
  for aspect, keys in values.items():
    if aspect == lexicon.LENGTH and part != "bill":
      continue
    if aspect == lexicon.SHAPE and part == lexicon.PLUMAGE:
      continue
    for key, strength in keys.items():
      if aspect == lexicon.PATTERN and key in lexicon.HEAD_PATTERNS:
        part = "head"
      yield Mention(part, aspect, key, strength * weight, negated)
  if with_size and part == lexicon.PLUMAGE and token in lexicon.SIZE_WORDS:
    yield Mention(part, lexicon.SIZE, "", SIZE_WORD * weight, negated,
                  lexicon.SIZE_WORDS[token])


@dataclasses.dataclass(frozen=True)
class _Table:
  """A phrase table compiled: (group, value, pattern, strength) in the table's order, and the
  organs each organ word names."""

  terms: lexicon.Terms
  patterns: tuple[tuple[str, str, re.Pattern, float], ...]
  organs: dict[str, frozenset[str]]


def _compile(terms: lexicon.Terms) -> _Table:
  organs: dict[str, set[str]] = {}
  for organ, words in terms.organs.items():
    for word in words:
      organs.setdefault(word, set()).add(organ)
  return _Table(terms, tuple(
      (group, value, re.compile(pattern), strength)
      for group, values in terms.groups.items()
      for value, patterns in values.items() for pattern, strength in patterns.items()),
                {word: frozenset(names) for word, names in organs.items()})


_TABLES = {name: _compile(terms) for name, terms in lexicon.TERMS.items()}
# Words between a phrase and the organ word after it that cut them apart.
_PREPOSITIONS = frozenset({
    "in", "on", "of", "at", "by", "from", "for", "during", "into", "along", "near", "when",
    "to", "than", "before", "after", "as", "among", "under", "beneath", "above", "below",
    "toward", "towards", "over", "through", "around", "across", "between", "within", "the",
    "a", "an", "its", "their", "with", "while", "which", "that"})
# Words after a length that make it another one than an organ's ("25 m tall"), or its width.
_HEIGHT_WORDS = frozenset({"tall", "high", "height"})
_WIDTH_WORDS = frozenset({"wide", "across", "broad", "diameter", "thick", "width"})
CM_PER_INCH = 2.54


def _postposed_negation(tokens: list[str], rest: list[int]) -> float:
  """How surely a word after a term denies it ("buildings are absent"): only linking verbs,
  function words and adverbs between."""
  for position in rest[:4]:
    token = tokens[position]
    if token in lexicon.POSTPOSED_NEGATIONS:
      return lexicon.POSTPOSED_NEGATIONS[token]
    if not (token in lexicon.LINKING_VERBS or token in lexicon.FUNCTION_WORDS
            or token.endswith("ly")):
      return 0.0
  return 0.0


def _said_of(table: _Table, tokens: list[str], segment: list[int], first: int, last: int,
             topic: frozenset[str] | None) -> frozenset[str] | None:
  """The organs the phrase at ``segment[first:last + 1]`` is said of (module docstring); None
  when it is said of none."""
  for index in range(first, last + 1):
    if tokens[segment[index]] in table.organs:
      return table.organs[tokens[segment[index]]]
  for index in range(last + 1, min(len(segment), last + 5)):
    token = tokens[segment[index]]
    if token in table.organs:
      if tokens[segment[index - 1]] in _CONJUNCTIONS:
        break
      return table.organs[token]
    if (token in lexicon.LINKING_VERBS or token in lexicon.NEGATIONS
        or token in _PREPOSITIONS):
      break
  for index in range(first - 1, -1, -1):
    if tokens[segment[index]] in table.organs:
      # A noun after the subject's linking verb is the subject ("the fruit is a cone-like
      # catkin 2-3 cm long, brown" is said of the fruit).
      for verb in range(index - 1, -1, -1):
        if tokens[segment[verb]] in lexicon.LINKING_VERBS:
          subject = next((segment[s] for s in range(verb - 1, -1, -1)
                          if tokens[segment[s]] in table.organs), None)
          if subject is not None:
            return table.organs[tokens[subject]]
          break
      return table.organs[tokens[segment[index]]]
  return topic


def _topic(table: _Table, tokens: list[str], segment: list[int],
           topic: frozenset[str] | None) -> frozenset[str] | None:
  """The organs later segments of the sentence speak of: the first organ a segment names when
  it is the segment's subject (among its first three words, or before a linking verb: "the
  bark is grey", "flowers white"), else the earlier topic ("opposite on long shoots" does not
  make the shoots the topic), with the organ it is said to be ("the fruit is a cone")."""
  for index, position in enumerate(segment):
    if tokens[position] in table.organs:
      rest = [tokens[p] for p in segment[index + 1:]]
      verb = next((i for i, t in enumerate(rest) if t in lexicon.LINKING_VERBS), None)
      if index >= 3 and verb is None:
        return topic
      predicate = next((table.organs[t] for t in rest[verb + 1:] if t in table.organs),
                       frozenset()) if verb is not None else frozenset()
      return table.organs[tokens[position]] | predicate
  return topic


def _phrase_mentions(table: _Table, tokens: list[str], segment: list[int],
                     negated_from: int | None, continues_negation: bool,
                     weights: list[float], topic: frozenset[str] | None) -> list[Mention]:
  """The characteristics a segment names (the strongest pattern of each, denied or not); a
  group's value said of an organ other than the group's is dropped (``Terms.group_organs``)."""
  starts, text = [], ""
  for position in segment:
    starts.append(len(text))
    text += tokens[position] + " "
  strongest: dict[tuple[str, str, bool], float] = {}
  for group, value, pattern, strength in table.patterns:
    organs, strict = table.terms.group_organs.get(group, (None, False))
    for match in pattern.finditer(text):
      first = bisect.bisect_right(starts, match.start()) - 1
      last = bisect.bisect_right(starts, match.end() - 1) - 1
      if organs is not None:
        said = _said_of(table, tokens, segment, first, last, topic)
        if (said is None and strict) or (said is not None and not said & organs):
          continue
      position = segment[first]
      denied = 1.0 if continues_negation or (
          negated_from is not None and segment[last] > negated_from) else _postposed_negation(
              tokens, segment[last + 1:])
      amount = strength * weights[position]
      said = 1.0 - denied
      before = tokens[segment[first - 1]] if first > 0 else None
      if value == lexicon.GROUP_ANY and before is not None and not (
          before in lexicon.NEGATIONS or before in lexicon.UNQUALIFIED):
        denied *= lexicon.QUALIFIED_DENIAL
      for negated, share in ((True, denied), (False, said)):
        key = (group, value, negated)
        if share > 0:
          strongest[key] = max(strongest.get(key, 0.0), amount * share)
  return [Mention(table.terms.subject, group, value, amount, negated)
          for (group, value, negated), amount in strongest.items()]


def _size_terms(table: _Table, tokens: list[str], segment: list[int], weights: list[float],
                topic: frozenset[str] | None) -> list[Mention]:
  """The size classes (``Terms.sizes``) of the lengths a segment gives of an organ ("leaves
  5-10 cm long", "a cone 7-12 cm long"; not "25 m tall")."""
  strongest: dict[tuple[str, str], float] = {}
  for index, position in enumerate(segment):
    if (tokens[position] not in lexicon.UNITS or index == 0
        or not _NUMBER.fullmatch(tokens[segment[index - 1]])):
      continue
    after = set(tokens[position + 1:position + 3])
    if after & _HEIGHT_WORDS:
      continue
    start = _measure_start(tokens, position)
    first = max(0, bisect.bisect_left(segment, start))
    said = _said_of(table, tokens, segment, first, index, topic)
    if said is None:
      continue
    cm = _measure(tokens, start, position) * CM_PER_INCH
    for group, (organs, classes, widths) in table.terms.sizes.items():
      if not said & organs or (after & _WIDTH_WORDS and not widths):
        continue
      for value, (low, high) in classes.items():
        if low <= cm < high:
          key = (group, value)
          strongest[key] = max(strongest.get(key, 0.0), MEASURED_SIZE * weights[position])
  return [Mention(table.terms.subject, group, value, amount)
          for (group, value), amount in strongest.items()]


def _reference_length(token: str) -> float | None:
  """The length (inches) of a familiar organism a word names, in the singular or plural."""
  return lexicon.REFERENCE_LENGTHS.get(token.rstrip("s"), lexicon.REFERENCE_LENGTHS.get(token))


def _size_mentions(tokens: list[str], segment: list[int],
                   weights: list[float]) -> Iterable[Mention]:
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
      yield Mention(lexicon.PLUMAGE, lexicon.SIZE, "", COMPARED_SIZE * weights[position],
                    inches=reference)
  # "larger than a robin": the comparison sits after the contrast cut, so read the whole
  # sentence for it.
  for index, position in enumerate(segment):
    if tokens[position] in ("larger", "bigger", "smaller") and position + 3 < len(tokens):
      for token in tokens[position + 1:position + 4]:
        reference = _reference_length(token)
        if reference is not None:
          factor = COMPARISON_FACTOR if tokens[position] != "smaller" else 1 / COMPARISON_FACTOR
          yield Mention(lexicon.PLUMAGE, lexicon.SIZE, "", COMPARED_SIZE * weights[position],
                        inches=reference * factor)
          break


def _names_the_organism(tokens: list[str], position: int) -> bool:
  """Whether the word at ``position`` is what the organism is said to be: after a linking
  verb with only articles and adjectives between ("is a large seabird"), or "X-like"."""
  if position + 1 < len(tokens) and tokens[position + 1] == lexicon.LIKE_SUFFIX:
    return True
  for back in range(position - 1, max(-1, position - 8), -1):
    token = tokens[back]
    if token in lexicon.LINKING_VERBS:
      return True
    if not (token in _DETERMINERS or _is_value(token) or token in lexicon.SIZE_WORDS
            or token in lexicon.SIZE_INTENSIFIERS or token in (",", "sized")):
      return False
  return position < 8  # The sentence opens with it: "A medium-sized hawk with...".


def _family_mentions(tokens: list[str], segment: list[int],
                     weights: list[float]) -> Iterable[Mention]:
  for position in segment:
    shapes = lexicon.FAMILY_SHAPES.get(tokens[position])
    if not shapes:
      continue
    strength = 1.0 if _names_the_organism(tokens, position) else PASSING_FAMILY
    for key, word_strength in shapes.items():
      yield Mention(lexicon.PLUMAGE, lexicon.SHAPE, key,
                    strength * word_strength * max(weights[position], 0.5))


def read_text(text: str, without: frozenset[str] = frozenset(),
              name: str = "", terms: Iterable[str] = ()) -> list[Reading]:
  """Readings of every sentence of a text (``read_sentence``). The organism's ``name`` in it
  ("the Black-footed Albatross is...") is read as its last word ("the Albatross is..."): what
  the rest of the name says is read once, from the name itself."""
  words = name.split()
  if len(words) > 1:
    text = re.sub(r"\b" + r"[\s_\-]+".join(map(re.escape, words)) + r"(?=\W|$)", words[-1],
                  text, flags=re.IGNORECASE)
  return [read_sentence(sentence, without, terms)
          for sentence in clauses.split_sentences(text)]
