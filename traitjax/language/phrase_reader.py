"""Reading the characteristics a sentence names by phrases (a landscape's "street grid", a
plant's "pinnately compound" leaves), with the phrase tables of ``terms`` (`phrase_table.Terms`).

Each pattern found in a segment names a characteristic of the tile or the plant, denied after a
negation in the segment, in a list that continues a negated one ("no fields, buildings or
roads") or before a denying word ("buildings are absent"). A plant's colours, textures and
positions are its organs' (``Terms.group_organs``): a phrase is said of an organ it names, of
the organ word just after it ("white fragrant flowers"), else of the last one before it in the
segment ("the bark is grey"), else of the organ an earlier segment of the sentence named ("The
fruit is a cone, brown when ripe"); lengths with a unit said of an organ give its size class
("leaves 5-10 cm long").
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Iterable

from traitjax.language import mentions
from traitjax.language import terms
from traitjax.language import tokens as tokens_lib
from traitjax.language.terms import general
from traitjax.language.terms import phrase_table

def read(tokens: list[str], segments: list[list[int]], weights: list[float],
         tables: Iterable[str], without: frozenset[str] = frozenset()) -> list[mentions.Mention]:
  """The characteristics the phrase tables named by their subjects (``tables``, keys of
  ``terms.PHRASE_TABLES``) find in a sentence's kept segments (`tokens.kept_segments`), each
  weighed by its token's qualifier weight where its table is qualified, leaving out the steps
  ``without`` names (``rule_reader.FEATURES``)."""
  compiled = [_TABLES[name] for name in tables]
  topics = [None] * len(compiled)  # The organs an earlier segment named, for each table.
  found: list[mentions.Mention] = []
  list_negated = False  # The previous segment denied what it named.
  for kept in segments:
    continues = (list_negated and tokens[kept[0]] not in general.CLAUSE_BREAKS
                 and not general.LINKING_VERBS.intersection(tokens[p] for p in kept))
    # "absent" denies what comes before it in a phrase ("buildings are absent or limited
    # to a single farmstead"), not after.
    phrase_negated_from = None if "negation" in without else next(
        (p for p in kept if tokens[p] in general.NEGATIONS
         and tokens[p] not in phrase_table.POSTPOSED_NEGATIONS), None)
    for index, table in enumerate(compiled):
      weighed = weights if table.terms.qualified else [1.0] * len(tokens)
      found.extend(_phrase_mentions(table, tokens, kept, phrase_negated_from,
                                       continues and table.terms.negated_lists, weighed,
                                       topics[index]))
      if table.terms.sizes and "size" not in without:
        found.extend(_size_terms(table, tokens, kept, weighed, topics[index]))
      topics[index] = _topic(table, tokens, kept, topics[index])
    list_negated = phrase_negated_from is not None or continues
  return found


@dataclasses.dataclass(frozen=True)
class _Table:
  """A phrase table compiled: (group, value, pattern, strength) in the table's order, and the
  organs each organ word names."""

  terms: phrase_table.Terms
  patterns: tuple[tuple[str, str, re.Pattern, float], ...]
  organs: dict[str, frozenset[str]]


def _compile(terms: phrase_table.Terms) -> _Table:
  organs: dict[str, set[str]] = {}
  for organ, words in terms.organs.items():
    for word in words:
      organs.setdefault(word, set()).add(organ)
  return _Table(terms, tuple(
      (group, value, re.compile(pattern), strength)
      for group, values in terms.groups.items()
      for value, patterns in values.items() for pattern, strength in patterns.items()),
                {word: frozenset(names) for word, names in organs.items()})


# The phrase tables compiled, by subject.
_TABLES = {name: _compile(table) for name, table in terms.PHRASE_TABLES.items()}
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
    if token in phrase_table.POSTPOSED_NEGATIONS:
      return phrase_table.POSTPOSED_NEGATIONS[token]
    if not (token in general.LINKING_VERBS or token in general.FUNCTION_WORDS
            or token.endswith("ly")):
      return 0.0
  return 0.0


def _organs_said_of(table: _Table, tokens: list[str], segment: list[int], first: int, last: int,
             topic: frozenset[str] | None) -> frozenset[str] | None:
  """The organs the phrase at ``segment[first:last + 1]`` is said of (module docstring); None
  when it is said of none."""
  for index in range(first, last + 1):
    if tokens[segment[index]] in table.organs:
      return table.organs[tokens[segment[index]]]
  for index in range(last + 1, min(len(segment), last + 5)):
    token = tokens[segment[index]]
    if token in table.organs:
      if tokens[segment[index - 1]] in tokens_lib.CONJUNCTIONS:
        break
      return table.organs[token]
    if (token in general.LINKING_VERBS or token in general.NEGATIONS
        or token in _PREPOSITIONS):
      break
  for index in range(first - 1, -1, -1):
    if tokens[segment[index]] in table.organs:
      # A noun after the subject's linking verb is the subject ("the fruit is a cone-like
      # catkin 2-3 cm long, brown" is said of the fruit).
      for verb in range(index - 1, -1, -1):
        if tokens[segment[verb]] in general.LINKING_VERBS:
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
      verb = next((i for i, t in enumerate(rest) if t in general.LINKING_VERBS), None)
      if index >= 3 and verb is None:
        return topic
      predicate = next((table.organs[t] for t in rest[verb + 1:] if t in table.organs),
                       frozenset()) if verb is not None else frozenset()
      return table.organs[tokens[position]] | predicate
  return topic


def _phrase_mentions(table: _Table, tokens: list[str], segment: list[int],
                     negated_from: int | None, continues_negation: bool,
                     weights: list[float], topic: frozenset[str] | None) -> list[mentions.Mention]:
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
        said = _organs_said_of(table, tokens, segment, first, last, topic)
        if (said is None and strict) or (said is not None and not said & organs):
          continue
      position = segment[first]
      denied = 1.0 if continues_negation or (
          negated_from is not None and segment[last] > negated_from) else _postposed_negation(
              tokens, segment[last + 1:])
      amount = strength * weights[position]
      said = 1.0 - denied
      before = tokens[segment[first - 1]] if first > 0 else None
      if value == phrase_table.GROUP_ANY and before is not None and not (
          before in general.NEGATIONS or before in phrase_table.UNQUALIFIED):
        denied *= phrase_table.QUALIFIED_DENIAL
      for negated, share in ((True, denied), (False, said)):
        key = (group, value, negated)
        if share > 0:
          strongest[key] = max(strongest.get(key, 0.0), amount * share)
  return [mentions.Mention(table.terms.subject, group, value, amount, negated)
          for (group, value, negated), amount in strongest.items()]


def _size_terms(table: _Table, tokens: list[str], segment: list[int], weights: list[float],
                topic: frozenset[str] | None) -> list[mentions.Mention]:
  """The size classes (``Terms.sizes``) of the lengths a segment gives of an organ ("leaves
  5-10 cm long", "a cone 7-12 cm long"; not "25 m tall")."""
  strongest: dict[tuple[str, str], float] = {}
  for index, position in enumerate(segment):
    if (tokens[position] not in general.UNITS or index == 0
        or not tokens_lib.NUMBER.fullmatch(tokens[segment[index - 1]])):
      continue
    after = set(tokens[position + 1:position + 3])
    if after & _HEIGHT_WORDS:
      continue
    start = tokens_lib.measure_start(tokens, position)
    first = max(0, bisect.bisect_left(segment, start))
    said = _organs_said_of(table, tokens, segment, first, index, topic)
    if said is None:
      continue
    cm = tokens_lib.measure(tokens, start, position) * CM_PER_INCH
    for group, (organs, classes, widths) in table.terms.sizes.items():
      if not said & organs or (after & _WIDTH_WORDS and not widths):
        continue
      for value, (low, high) in classes.items():
        if low <= cm < high:
          key = (group, value)
          strongest[key] = max(strongest.get(key, 0.0),
                               tokens_lib.MEASURED_SIZE * weights[position])
  return [mentions.Mention(table.terms.subject, group, value, amount)
          for (group, value), amount in strongest.items()]
