"""Splitting free-text descriptions into clauses that each say one thing about one subject.

A description is cut into sentences, each sentence into fragments (at commas, semicolons,
colons, parentheses, the conjunctions in ``CONJUNCTIONS`` and before "with"), and every
fragment that lacks a subject of its own is given the sentence's current subject::

  "Flowers 5-petalled, scarlet."         -> "Flowers 5-petalled", "Flowers scarlet"
  "The bill is long and hooked."         -> "The bill is long and hooked"
  "The fruit: pods."                     -> "The fruit pods"
  "Males (in spring) are black."         -> "Males in spring", "Males are black"
  "A large, dark seabird with a pale face, and the legs and feet are black."
      -> "A large dark seabird", "with a pale face", "the legs and feet are black"
  "The male is red all over with a black mask." -> "The male is red all over",
                                                   "The male with a black mask"

The subject of a sentence is the text before its first verb of ``LINKING_VERBS`` ("The bill"
in "The bill is long"), the fragment before a colon, nothing after a leading indefinite noun
phrase ("A large seabird, ..." introduces the organism itself), or else (telegraphic style,
"Leaves ovate") the first word with any determiner before it. A later fragment with a linking
verb of its own ("the tail is short") names a new subject.

Some commas and conjunctions do not split: a conjunction with a single word on either side
("black and white wings", "long and hooked"), one between a bare noun phrase and a clause with
a verb ("the legs and feet are black"), and commas in a list of adjectives after an article or
"has" ("A large, dark seabird", "It has long, narrow, pointed wings").
"""

from __future__ import annotations

import dataclasses
import re

# Verbs that link a subject to what is said about it.
LINKING_VERBS = frozenset({
    "is", "are", "was", "were", "has", "have", "becomes", "become", "appears", "appear",
    "looks", "look", "shows", "show", "bears", "bear", "seems", "seem", "turns", "turn"})
# Words that join two clauses (or alternatives) of one sentence.
CONJUNCTIONS = ("and", "or", "but", "while", "whereas", "although", "though")
DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "this", "these",
                         "those", "each", "both"})
INDEFINITE_ARTICLES = frozenset({"a", "an"})
# Words after which "word," starts a list of adjectives ("A large, dark seabird").
_LIST_OPENERS = frozenset({"a", "an", "the", "has", "have"})
# The most words after the determiner of a bare noun phrase that shares the verb of the clause
# after "and" ("the outer tail feathers and legs are white").
_MAX_SHARED_SUBJECT_WORDS = 3

# A sentence ends at . ! ? followed by a space and a capital letter or digit, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^a-z\s])|\s*\n\s*")
_PUNCTUATION = re.compile(r"\s*([,;:])\s*")
_CONJUNCTION = re.compile(r"\s+(" + "|".join(CONJUNCTIONS) + r")\s+", re.IGNORECASE)
_LEADING_CONJUNCTION = re.compile(r"^(" + "|".join(CONJUNCTIONS) + r")\s+", re.IGNORECASE)
# A phrase starting with "with" adds a feature of its own ("red all over | with a black mask").
_WITH = re.compile(r"\s+(?=with\s)", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
  """Sentences of a text, without their final punctuation; empty ones dropped."""
  sentences = (s.strip().rstrip(".!?").strip() for s in _SENTENCE_END.split(text))
  return [s for s in sentences if s]


def _verb_position(words: list[str]) -> int:
  """The index of the first linking verb, or -1."""
  for index, word in enumerate(words):
    if word.lower() in LINKING_VERBS:
      return index
  return -1


def _is_bare_noun_phrase(words: list[str]) -> bool:
  """Whether words read as a subject without predicate: one word, or a determiner and a
  few words ("the legs", "its outer tail feathers")."""
  if len(words) == 1:
    return True
  return (words[0].lower() in DETERMINERS
          and len(words) - 1 <= _MAX_SHARED_SUBJECT_WORDS)


def _keeps_together(left: str, right: str) -> bool:
  """Whether a conjunction between ``left`` and ``right`` joins words of one clause: a single
  word on either side, or a bare noun phrase before a clause with a verb."""
  left_words, right_words = left.split(), right.split()
  if min(len(left_words), len(right_words)) <= 1:
    return True
  return (_verb_position(left_words) < 0 and _is_bare_noun_phrase(left_words)
          and _verb_position(right_words) > 0)


def _is_unfinished(words: list[str]) -> bool:
  """Whether a fragment ends in an article or "has" and one word ("A large", "It has long"):
  the start of a list of adjectives that the next comma continues."""
  return len(words) >= 2 and words[-2].lower() in _LIST_OPENERS


def _fragments(sentence: str) -> list[tuple[str, str]]:
  """(fragment, separator before it) pairs; the separator is "", a punctuation mark, a
  conjunction (lower case) or "with". See the module docstring for what does not split."""
  sentence = re.sub(r"[()\[\]]", ",", sentence)
  pieces = _PUNCTUATION.split(sentence)  # text, mark, text, mark, ...
  fragments = []
  in_adjective_list = False
  for index in range(0, len(pieces), 2):
    separator = pieces[index - 1] if index else ""
    text = pieces[index]
    leading = _LEADING_CONJUNCTION.match(text)
    if leading:  # ", and the legs ..."
      separator = leading.group(1).lower()
      text = text[leading.end():]
    continues_list = separator == "," and in_adjective_list and bool(fragments)
    if continues_list:  # "A large, dark seabird"
      previous, separator = fragments.pop()
      text = f"{previous} {text}"
    parts = _CONJUNCTION.split(text)  # text, conjunction, text, ...
    current = parts[0]
    for conjunction, following in zip(parts[1::2], parts[2::2]):
      if _keeps_together(current, following):
        current = f"{current} {conjunction} {following}"
        continue
      fragments.append((current.strip(), separator))
      current, separator = following, conjunction.lower()
    if current.strip():
      fragments.append((current.strip(), separator))
    # Still a list when only one more word was added to it ("It has long, narrow, ...").
    in_adjective_list = ((continues_list and len(pieces[index].split()) == 1)
                         or _is_unfinished(current.split()))
  return [(piece, separator if index == 0 else "with")
          for fragment, separator in fragments
          for index, piece in enumerate(_WITH.split(fragment))]


@dataclasses.dataclass(frozen=True)
class Clause:
  """One thing a description says.

  Attributes:
    text: the clause with its subject ("The bill is long", "Flowers scarlet").
    subject: what it is about ("The bill", "Flowers"); "" when it is about the organism.
    predicate: what it says about the subject, without a linking verb ("long", "scarlet").
  """

  text: str
  subject: str
  predicate: str


def _leading_subject(words: list[str], before_colon: bool) -> str:
  """The subject of a sentence whose first fragment has no linking verb (module docstring)."""
  if before_colon:
    return " ".join(words)
  if words[0].lower() in INDEFINITE_ARTICLES:
    return ""
  end = 0
  while end < len(words) - 1 and words[end].lower() in DETERMINERS:
    end += 1
  return " ".join(words[:end + 1])


def sentence_clauses(sentence: str) -> list[Clause]:
  """The clauses of one sentence, each carrying its subject (see the module docstring)."""
  fragments = _fragments(sentence)
  clauses = []
  subject = None  # Until the sentence's subject is known.
  for index, (fragment, _) in enumerate(fragments):
    words = fragment.split()
    verb = _verb_position(words)
    if verb > 0:  # "the tail is short": a subject of its own.
      subject = " ".join(words[:verb])
      clause = Clause(fragment, subject, " ".join(words[verb + 1:]))
    elif subject is None:
      before_colon = index + 1 < len(fragments) and fragments[index + 1][1] == ":"
      subject = _leading_subject(words, before_colon)
      clause = Clause(fragment, subject, fragment[len(subject):].strip())
    else:
      predicate = " ".join(words[1:]) if verb == 0 else fragment  # "are black" -> "black"
      clause = Clause(f"{subject} {fragment}".strip(), subject, predicate)
    if clause.predicate:
      clauses.append(clause)
  return clauses


def split_clauses(text: str) -> list[Clause]:
  """The clauses of a description, sentence by sentence, without repeated texts."""
  clauses = {}
  for sentence in split_sentences(text):
    for clause in sentence_clauses(sentence):
      clauses.setdefault(clause.text, clause)
  return list(clauses.values())
