"""Free-text species descriptions -> a species x trait table, with a sentence encoder.

Every description is split into clauses (``clauses.split_clauses``: text, subject, predicate).
The clauses, their predicates and the vocabulary's phrases (``phrases.PhraseBook``) are
embedded, and cosine similarities decide, species by species:

1. Evidence that clause c names trait t: ``1 - VALUE_WEIGHT`` times the similarity of the
   clause to the trait's phrasings (their mean embedding: "yellow petals", "petals yellow") plus
   ``VALUE_WEIGHT`` times the similarity of the predicate to the trait's value ("scarlet" vs
   "red").
2. Relevance of clause c to group g: the best evidence for any trait of g plus
   ``GROUP_WEIGHT`` times the similarity of the clause to the group (the mean embedding of its
   phrase and its part: "petal colour", "petals"). So "Petals yellow" is about petal colour,
   not about leaf colour, though "yellow" is a value of both.
3. How much clause c speaks about group g (0 below ``RELEVANCE_FLOOR``), a product of two
   factors that halve with every ``CLAUSE_MARGIN`` / ``GROUP_MARGIN`` of relevance:
   - the clause's gap to the species' most relevant clause for g (clauses compete for a group:
     "in clusters of three" does not take the petal count from "3-petalled");
   - its gap to the clause's most relevant group among those it competes well for (within
     ``CLAUSE_MARGIN`` of their best clause).
   A clause that speaks about g less than ``MENTION_LEVEL`` says nothing about it.
4. Within group g, trait t gets exp((evidence - best evidence in g) / ``TEMPERATURE``) (a
   softmax over the group's traits divided by its largest entry: several values named together,
   "black and white wings", can all be present), times how much the clause speaks about g.
5. A species' confidence in a trait is the largest over its clauses (of all its strings); a
   trait whose group none of them speaks about stays empty (NaN).

The constants were calibrated with all-MiniLM-L6-v2 on the synthetic flora's descriptions
(``traitjax.data.synthetic_flora``) and nowhere else: the weights, margins and temperature for
F1 and AUC of present traits on the default flora; ``MENTION_LEVEL`` for which groups a text
leaves unmentioned, on a flora with 30% missing cells; ``RELEVANCE_FLOOR`` as the largest floor that
costs the default flora nothing (there every clause is at least 0.8 relevant to some group;
"The species was described in 1821." is 0.4 relevant to its most relevant one).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from traitjax.data import schema
from traitjax.language import clauses as clauses_lib
from traitjax.language import phrases as phrases_lib

VALUE_WEIGHT = 0.5
GROUP_WEIGHT = 1.0
RELEVANCE_FLOOR = 0.65
CLAUSE_MARGIN = 0.07
GROUP_MARGIN = 0.07
MENTION_LEVEL = 0.3
TEMPERATURE = 0.02
# Texts embedded per step of the progress display.
EMBEDDING_CHUNK = 256

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Settings:
  """The knobs of the method (module docstring, steps 1-4); defaults: the module constants."""

  value_weight: float = VALUE_WEIGHT
  group_weight: float = GROUP_WEIGHT
  relevance_floor: float = RELEVANCE_FLOOR
  clause_margin: float = CLAUSE_MARGIN
  group_margin: float = GROUP_MARGIN
  mention_level: float = MENTION_LEVEL
  temperature: float = TEMPERATURE

  def __post_init__(self):
    for name in ("value_weight", "mention_level"):
      if not 0.0 <= getattr(self, name) <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)}")
    if self.group_weight < 0:
      raise ValueError(f"group_weight must be >= 0, got {self.group_weight}")
    for name in ("clause_margin", "group_margin", "temperature"):
      if getattr(self, name) <= 0:
        raise ValueError(f"{name} must be positive, got {getattr(self, name)}")


@dataclasses.dataclass(frozen=True)
class Vocabulary:
  """The embedded phrases of a PhraseBook.

  Attributes:
    book: the phrases.
    traits: float32 [T, D] unit-norm mean embedding of each trait's phrasings.
    values: float32 [T, D] embeddings of the traits' values.
    groups: float32 [G, D] unit-norm mean embedding of each group's phrase and part.
    trait_groups: int [T] each trait's row of ``groups`` (groups in first-seen order).
  """

  book: phrases_lib.PhraseBook
  traits: np.ndarray
  values: np.ndarray
  groups: np.ndarray
  trait_groups: np.ndarray

  @classmethod
  def embed(cls, book: phrases_lib.PhraseBook, embed: Embed) -> Vocabulary:
    group_names = book.group_names()
    row = {group: index for index, group in enumerate(group_names)}
    counts = [len(phrasings) for phrasings in book.phrasings]
    every_phrasing = embed([phrase for phrasings in book.phrasings for phrase in phrasings])
    traits = np.add.reduceat(every_phrasing, np.cumsum([0] + counts[:-1]), axis=0)
    groups = (embed([book.group_phrases[g] for g in group_names])
              + embed([book.group_parts[g] for g in group_names]))
    return cls(book, _unit(traits), embed(book.values), _unit(groups),
               np.array([row[group] for group in book.groups]))


def _unit(vectors: np.ndarray) -> np.ndarray:
  return (vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)
          ).astype(np.float32)


def _best_per_group(scores: np.ndarray, trait_groups: np.ndarray, num_groups: int) -> np.ndarray:
  """[C, T] scores -> [C, G] the largest score of each group's traits."""
  best = np.full((len(scores), num_groups), -np.inf, np.float32)
  np.maximum.at(best.T, trait_groups, scores.T)
  return best


def clause_confidences(texts: np.ndarray, predicates: np.ndarray, vocabulary: Vocabulary,
                       settings: Settings = Settings()) -> np.ndarray:
  """Each clause's confidence in each trait, for the clauses of one species (steps 1-4).

  Args:
    texts: float [C, D] unit-norm embeddings of the clauses.
    predicates: float [C, D] unit-norm embeddings of their predicates.
    vocabulary: the embedded trait vocabulary.
    settings: the knobs.

  Returns:
    float32 [C, T] in [0, 1]; NaN where the clause does not speak about the trait's group.
  """
  num_groups = len(vocabulary.groups)
  trait_groups = vocabulary.trait_groups
  if not len(texts):
    return np.full((0, len(trait_groups)), np.nan, np.float32)
  evidence = ((1 - settings.value_weight) * (texts @ vocabulary.traits.T)
              + settings.value_weight * (predicates @ vocabulary.values.T))  # [C, T]
  best_evidence = _best_per_group(evidence, trait_groups, num_groups)  # [C, G]
  relevance = best_evidence + settings.group_weight * (texts @ vocabulary.groups.T)
  relevance = np.where(relevance >= settings.relevance_floor, relevance, -np.inf)
  behind_best_clause = _gap(relevance.max(axis=0), relevance)
  competes = behind_best_clause <= settings.clause_margin
  best_group = np.where(competes, relevance, -np.inf).max(axis=1, keepdims=True)
  behind_best_group = np.maximum(_gap(best_group, relevance), 0.0)
  speaks = 0.5 ** (behind_best_clause / settings.clause_margin
                   + behind_best_group / settings.group_margin)  # [C, G]; 0 where irrelevant
  relative = np.exp((evidence - best_evidence[:, trait_groups]) / settings.temperature)
  speaks = speaks[:, trait_groups]
  return np.where(speaks >= settings.mention_level, speaks * relative,
                  np.nan).astype(np.float32)


def _gap(best: np.ndarray, scores: np.ndarray) -> np.ndarray:
  """best - scores; inf where a score is -inf (irrelevant), also when the best is."""
  with np.errstate(invalid="ignore"):  # -inf - -inf
    return np.nan_to_num(best - scores, nan=np.inf, posinf=np.inf)


def species_confidences(per_clause: np.ndarray) -> np.ndarray:
  """float32 [T]: the largest confidence over clauses [C, T]; NaN where every clause is NaN."""
  known = ~np.isnan(per_clause)
  best = np.where(known, per_clause, -np.inf).max(axis=0, initial=-np.inf)
  return np.where(known.any(axis=0), best, np.nan).astype(np.float32)


def description_texts(descriptions: Mapping[str, object]) -> dict[str, list[str]]:
  """Species -> its strings, from a mapping of species name -> string or list of strings.

  Raises:
    ValueError naming a species whose description is neither.
  """
  texts = {}
  for species, description in descriptions.items():
    if isinstance(description, str):
      texts[species] = [description]
    elif (isinstance(description, (list, tuple))
          and all(isinstance(text, str) for text in description)):
      texts[species] = list(description)
    else:
      raise ValueError(f"the description of {species!r} must be a string or a list of "
                       f"strings, got {type(description).__name__}")
  return texts


def describe_table(descriptions: Mapping[str, object], book: phrases_lib.PhraseBook,
                   embed: Embed, settings: Settings = Settings(),
                   progress: Callable[[Iterable], Iterable] = iter) -> schema.TraitTable:
  """The species x trait table that descriptions support.

  Args:
    descriptions: species name -> description string or list of strings.
    book: the trait vocabulary and its phrases.
    embed: texts -> unit-norm embeddings [N, D] (``TextEncoder.embed``).
    settings: the knobs of the method.
    progress: wraps the iteration over chunks of texts to embed (e.g. ``tqdm.tqdm``).

  Returns:
    A TraitTable with the species in the order of ``descriptions`` and the book's traits:
    confidences in [0, 1], NaN where a species' text says nothing about a trait's group.

  Raises:
    ValueError for no descriptions or a description that is not a string or list of strings.
  """
  texts = description_texts(descriptions)
  if not texts:
    raise ValueError("no descriptions given")
  vocabulary = Vocabulary.embed(book, embed)
  species_clauses = {}
  for species, strings in texts.items():
    clauses = {}
    for text in strings:
      for clause in clauses_lib.split_clauses(text):
        clauses.setdefault(clause.text, clause)
    species_clauses[species] = list(clauses.values())
  to_embed = list(dict.fromkeys(
      part for clauses in species_clauses.values() for clause in clauses
      for part in (clause.text, clause.predicate)))
  embedding = {}
  chunks = [to_embed[i:i + EMBEDDING_CHUNK] for i in range(0, len(to_embed), EMBEDDING_CHUNK)]
  for chunk in progress(chunks):
    embedding.update(zip(chunk, embed(chunk)))
  width = vocabulary.traits.shape[1]
  rows = []
  for clauses in species_clauses.values():
    clause_texts = np.array([embedding[c.text] for c in clauses]).reshape(-1, width)
    predicates = np.array([embedding[c.predicate] for c in clauses]).reshape(-1, width)
    rows.append(species_confidences(
        clause_confidences(clause_texts, predicates, vocabulary, settings)))
  return schema.TraitTable(np.stack(rows), species=tuple(texts), traits=book.traits,
                           groups=book.groups)
