"""Species descriptions -> a graded species x trait table that ranks like the truth.

Three sources of evidence, each of which an ablation can leave out (``COMPONENTS``):

- ``rules``: the rule reader (``rule_reader``) with the closed vocabularies of ``terms``
  (parts, colours, patterns, shapes, sizes, families; the phrases of landscapes and plants,
  read only for a vocabulary with such traits), for every trait ``evidence.trait_key``
  understands; the species' own name is read as one more sentence (``name``: a
  "Black-footed Albatross" has black feet and is an albatross).
- ``encoder``: the sentence-encoder route of ``encoder_reader`` for the traits the vocabulary does
  not cover (open vocabularies: "lanceolate leaves", "a ring road"), run on the sentences the
  reader finds about appearance, naming a part or (for a landscape or plant vocabulary)
  naming one of its characteristics only.
- ``prior``: for cells no sentence speaks of, the trait's mean among known species (a table
  of species with photos, without the rows the caller says are the described species: never
  found by name here, as "Northern Cardinal" is "017.Cardinal"), else ``uniform_prior``:
  1 / (k + 1) for a trait of a group of k values (a colour among 15 is rarely present; a
  trait alone in its group is as likely as not).

They meet in ``evidence.scores``: a cell is its prior, raised by what supports it, lowered
when the text gives its part other values, and lowered further when the text denies it.
"""

from __future__ import annotations

from typing import Callable, Collection, Iterable, Mapping, Sequence

import numpy as np

from traitjax.data import schema
from traitjax.language import encoder_reader
from traitjax.language import evidence
from traitjax.language import mentions
from traitjax.language import phrases as phrases_lib
from traitjax.language import rule_reader
from traitjax.language import terms

COMPONENTS = ("rules", "encoder", "prior", "name")


def uniform_prior(groups: Sequence[str]) -> np.ndarray:
  """float32 [T]: 1 / (k + 1) for each trait of a group of k traits."""
  counts = {group: groups.count(group) for group in set(groups)}
  return np.array([1.0 / (counts[group] + 1) for group in groups], np.float32)


def species_prior(known: schema.TraitTable, excluded: Sequence[Collection[int]],
                  traits: Sequence[str]) -> np.ndarray:
  """float32 [S, T]: for each of S described species, each trait's mean over the rows of the
  known table not in its ``excluded`` rows (row numbers of ``known``: the rows that are the
  species itself, as the caller says, and any it holds out; names are never matched here);
  ``uniform_prior`` for traits the known table lacks or a species whose rows are all excluded.

  Raises:
    ValueError when the known table shares no trait with ``traits`` or a row number is not one
    of its rows.
  """
  column = {name: index for index, name in enumerate(known.traits)}
  shared = [t for t in traits if t in column]
  if not shared:
    raise ValueError("the prior table shares no trait with the vocabulary")
  values = np.nan_to_num(known.values, nan=0.0)
  total = values.sum(axis=0)
  prior = np.tile(uniform_prior([schema.group_of(t) for t in traits]), (len(excluded), 1))
  columns = np.array([column[t] for t in shared])
  places = np.array([index for index, t in enumerate(traits) if t in column])
  for row, rows in enumerate(excluded):
    own = sorted(set(rows))
    if any(not 0 <= i < known.num_species for i in own):
      raise ValueError(f"excluded prior rows {own} are not all rows of the prior table "
                       f"({known.num_species} species)")
    rest = known.num_species - len(own)
    if rest <= 0:
      continue
    prior[row, places] = ((total - values[own].sum(axis=0)) / rest)[columns]
  return prior


def encoder_sentences(readings: Iterable[mentions.Reading]) -> list[str]:
  """The sentences the encoder reads: about appearance, naming a part, or (read for a
  landscape or plant vocabulary) naming one of its characteristics."""
  return [r.sentence for r in readings
          if r.about_appearance or r.names_part or r.names_phrase]


def strings_about_appearance(descriptions: Mapping[str, object]) -> dict[str, list[bool]]:
  """Species -> for each of its strings, whether the reader finds a sentence of it about
  appearance (to score against per-sentence labels)."""
  return {species: [any(r.about_appearance for r in rule_reader.read_text(
      text, name=schema.species_key(species))) for text in texts]
          for species, texts in encoder_reader.description_texts(descriptions).items()}


def understood(traits: Sequence[str]) -> list[bool]:
  """Whether the rules read each trait (else the encoder does)."""
  return [evidence.trait_key(t) is not None for t in traits]


def check_without(without: Iterable[str]) -> None:
  """Raises ValueError naming what ``without`` names that is no component or reader
  feature."""
  unknown = set(without) - set(COMPONENTS) - set(rule_reader.FEATURES)
  if unknown:
    raise ValueError(f"unknown parts to leave out {sorted(unknown)}; known: "
                     f"{', '.join(COMPONENTS + rule_reader.FEATURES)}")


def _rule_readings(texts: Mapping[str, list[str]], book: phrases_lib.PhraseBook,
                   without: frozenset[str]) -> tuple[list, dict[str, list[mentions.Reading]]]:
  """The trait keys the rules read (None: a trait they do not, or all with ``rules`` left
  out), and each species' readings: its sentences, and its name read as one more."""
  features = frozenset(without) & frozenset(rule_reader.FEATURES)
  understood_keys = [evidence.trait_key(t) for t in book.traits]
  keys = [None if "rules" in without else key for key in understood_keys]
  # The phrase tables the vocabulary's traits are read by (landscapes, plants): only they are
  # read.
  tables = tuple(sorted({key.part for key in understood_keys
                         if key is not None and key.part in terms.PHRASE_TABLES}))
  readings = {}
  for species, strings in texts.items():
    readings[species] = [
        r for text in strings
        for r in rule_reader.read_text(text, features, schema.species_key(species), tables)]
    if "name" not in without:
      readings[species].append(rule_reader.read_sentence(schema.species_key(species), features,
                                                         tables))
  return keys, readings


def provenance(descriptions: Mapping[str, object], book: phrases_lib.PhraseBook,
               without: frozenset[str] = frozenset()) -> dict[str, dict[str, list[dict]]]:
  """What the rules read for each cell: species -> trait -> the sentences that speak of it,
  each {sentence, words (what the sentence says of which part), amount (how much it moves the
  cell), denies (it says the part lacks the value)}, strongest first. Cells the rules do not
  read (the encoder's, the prior's) are absent; the species' name counts as a sentence."""
  features = frozenset(without) & frozenset(rule_reader.FEATURES)
  keys, readings = _rule_readings(encoder_reader.description_texts(descriptions), book, without)
  found = {}
  for species, species_readings in readings.items():
    cells = {}
    for reading in species_readings:
      for mention in reading.mentions:
        support, denial, _ = evidence.amounts([mention], keys, spread="synonyms" not in features)
        for t in np.flatnonzero((support > 0) | (denial > 0)):
          words = " ".join(w for w in (mention.value, mention.part) if w)
          cells.setdefault(book.traits[t], []).append({
              "sentence": reading.sentence, "words": ("not " if mention.negated else "") + words,
              "amount": round(float(max(support[t], denial[t])), 3),
              "denies": bool(denial[t] > support[t])})
    found[species] = {trait: sorted(items, key=lambda item: -item["amount"])
                      for trait, items in cells.items()}
  return found


def parse_table(descriptions: Mapping[str, object], book: phrases_lib.PhraseBook,
                embed: encoder_reader.Embed | None, known: schema.TraitTable | None = None,
                without: frozenset[str] = frozenset(),
                progress: Callable[[Iterable], Iterable] = iter,
                excluded: Mapping[str, Collection[int]] | None = None) -> schema.TraitTable:
  """The graded table that descriptions support (module docstring).

  Args:
    descriptions: species name -> description string or list of strings.
    book: the trait vocabulary and its phrases.
    embed: texts -> unit-norm embeddings (``TextEncoder.embed``); only called when some trait
      is not understood by the rules; None leaves those traits at their prior.
    known: a table of known species for the prior; None: ``uniform_prior``.
    excluded: with ``known``, every described species -> the rows of ``known`` left out of its
      prior (its own row, if the table has it; ``describe.tables.prior_exclusions`` makes
      this from what the caller says). Required with ``known``: a species' own row in its
      prior would hand it its answer.
    without: components (``COMPONENTS``) and reader features (``rule_reader.FEATURES``) to leave
      out, for ablations.
    progress: wraps the encoder's iteration over chunks of texts.

  Returns:
    A TraitTable in [0, 1] without empty cells, species in the order of ``descriptions``.

  Raises:
    ValueError for no descriptions, a malformed description, an unknown name in ``without``,
    or a ``known`` table without ``excluded`` rows for every described species.
  """
  check_without(without)
  texts = encoder_reader.description_texts(descriptions)
  if not texts:
    raise ValueError("no descriptions given")
  features = frozenset(without) & frozenset(rule_reader.FEATURES)
  keys, readings = _rule_readings(texts, book, without)
  species = list(texts)
  if known is not None and "prior" not in without:
    missing = sorted(set(species) - set(excluded or {}))
    if missing:
      raise ValueError(f"the prior needs the rows each described species leaves out, and "
                       f"{len(missing)} have none, e.g. {missing[:3]}")
    prior = species_prior(known, [excluded[name] for name in species], book.traits)
  else:
    prior = np.tile(uniform_prior(list(book.groups)), (len(species), 1))

  support = np.zeros(prior.shape)
  denial = np.zeros(prior.shape)
  spoken = np.zeros(prior.shape)
  for row, name in enumerate(species):
    said = [m for r in readings[name] for m in r.mentions]
    support[row], denial[row], spoken[row] = evidence.amounts(
        said, keys, spread="synonyms" not in features)
  open_traits = np.array([key is None for key in keys])
  if open_traits.any() and embed is not None and "encoder" not in without:
    encoded = encoder_reader.describe_table(
        {name: encoder_sentences(readings[name]) for name in species}, book, embed,
        progress=progress).values
    said = ~np.isnan(encoded)
    support[:, open_traits] = np.nan_to_num(encoded, nan=0.0)[:, open_traits]
    spoken[:, open_traits] = said[:, open_traits]
  return schema.TraitTable(evidence.scores(support, denial, spoken, prior),
                           species=tuple(species), traits=book.traits, groups=book.groups)
