"""Reading descriptions with rules: each sentence tokenised (`tokens`), its values attached to
the parts they are said of (`part_reader`), and its characteristics named by phrases read with
the phrase tables of the vocabulary (`phrase_reader`).

The result is a ``mentions.Reading`` per sentence: its mentions, and whether the sentence is
about appearance at all (it says something, names a part, or uses an appearance word). Each step
can be left out for an ablation (``FEATURES``).
"""

from __future__ import annotations

import re
from typing import Iterable

from traitjax.language import clauses
from traitjax.language import mentions
from traitjax.language import part_reader
from traitjax.language import phrase_reader
from traitjax.language import terms
from traitjax.language import tokens
from traitjax.language.terms import general
from traitjax.language.terms import landscapes

# Steps of the reader that ``read_sentence(..., without=...)`` can leave out.
FEATURES = ("synonyms", "coordination", "negation", "contrast", "qualifiers", "size",
            "family")


def read_sentence(sentence: str, without: frozenset[str] = frozenset(),
                  tables: Iterable[str] = ()) -> mentions.Reading:
  """The mentions of one sentence (module docstring), leaving out the steps ``without``
  names (of ``FEATURES``) and reading the phrases of the tables ``tables`` names (keys of
  ``terms.PHRASE_TABLES``: ``landscapes.SCENE``, ``plants.PLANT``); phrases are most of the
  reading's time, and no other vocabulary's trait reads them.

  Raises:
    ValueError for an unknown feature or phrase table.
  """
  unknown = set(without) - set(FEATURES)
  if unknown:
    raise ValueError(f"unknown reader features {sorted(unknown)}; known: {FEATURES}")
  tables = tuple(tables)
  unknown = set(tables) - set(terms.PHRASE_TABLES)
  if unknown:
    raise ValueError(f"unknown phrase tables {sorted(unknown)}; known: "
                     f"{sorted(terms.PHRASE_TABLES)}")
  words = tokens.tokens_of(sentence)
  weights = tokens.qualifier_weights(words, without)
  segments = tokens.kept_segments(words, without)
  found = part_reader.read(words, segments, weights, without)
  if tables:
    found += phrase_reader.read(words, segments, weights, tables, without)
  # A landscape an organism's text names is its habitat, not its appearance.
  about = (any(m.strength > part_reader.PASSING_FAMILY for m in found
               if not (m.aspect == general.SHAPE and m.part == general.PLUMAGE)
               and m.part != landscapes.SCENE)
           or bool(general.APPEARANCE_WORDS.intersection(words)))
  names_phrase = any(m.part in terms.PHRASE_TABLES for m in found)
  return mentions.Reading(sentence, tuple(found), about, tokens.names_part(words), names_phrase)


def read_text(text: str, without: frozenset[str] = frozenset(),
              name: str = "", tables: Iterable[str] = ()) -> list[mentions.Reading]:
  """Readings of every sentence of a text (``read_sentence``). The organism's ``name`` in it
  ("the Black-footed Albatross is...") is read as its last word ("the Albatross is..."): what
  the rest of the name says is read once, from the name itself."""
  words = name.split()
  if len(words) > 1:
    text = re.sub(r"\b" + r"[\s_\-]+".join(map(re.escape, words)) + r"(?=\W|$)", words[-1],
                  text, flags=re.IGNORECASE)
  return [read_sentence(sentence, without, tables)
          for sentence in clauses.split_sentences(text)]
