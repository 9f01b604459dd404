"""Free-text species descriptions -> a species x trait table written as CSV, and its scores
against a reference table: what `python -m traitjax.describe` runs (the method is
``traitjax.language.fusion``)."""

from __future__ import annotations

import json
import os
import time

import tqdm

from traitjax import paths
from traitjax.data import cub
from traitjax.data import schema
from traitjax.data import vocabulary
from traitjax.language import descriptions
from traitjax.language import fusion
from traitjax.language import phrases
from traitjax.language import scoring
from traitjax.models import text

# all-MiniLM-L6-v2 in the shared folder (`paths.shared_path`).
DEFAULT_ENCODER = paths.shared_path("weights", "all-MiniLM-L6-v2")
# The known species of the prior: cub25 in the shared folder, used when the vocabulary is its
# attributes'.
DEFAULT_PRIOR = paths.shared_path("data", "cub25")
NO_PRIOR = "none"
# `prior_exclusions` items: SAME_NAMES, each described species is the prior row of its own
# name; NOT_IN_PRIOR alone, no described species is in the prior, and after "=", that species
# is in no prior row.
SAME_NAMES = "same_names"
NOT_IN_PRIOR = "none"


def read_table(path: str | os.PathLike, known_only: bool = False) -> schema.TraitTable:
  """A species x trait table from a CSV file or a CUB root (its attribute table; with
  ``known_only``, only the species that have photos there)."""
  if os.path.isdir(path):
    return cub.read_species_table(path, with_images=known_only)
  return schema.TraitTable.from_csv(path)


def read_prior(path: str | os.PathLike, traits) -> schema.TraitTable | None:
  """The known species of the prior (``NO_PRIOR``: none); the default one only when it exists
  and names the vocabulary's traits.

  Raises:
    ValueError when a prior given explicitly shares no trait with the vocabulary.
  """
  if os.fspath(path) == NO_PRIOR:
    return None
  is_default = os.path.abspath(path) == os.path.abspath(DEFAULT_PRIOR)
  if is_default and not os.path.isdir(path):
    return None
  known = read_table(path, known_only=True)
  if not set(known.traits) & set(traits):
    if is_default:
      return None
    raise ValueError(f"{os.fspath(path)}: the prior table shares no trait with the vocabulary")
  return known


def prior_exclusions(known: schema.TraitTable, species, items) -> dict[str, tuple[int, ...]]:
  """Each described species -> the rows of the prior table ``known`` left out of its prior,
  from what the caller says (``--exclude_species``), never guessed from names alone:

  - ``DESCRIBED=ROW``: the prior row ROW is the species DESCRIBED ("Northern
    Cardinal=017.Cardinal"); one species may be several rows. ``DESCRIBED=none``: no prior row
    is it.
  - ``ROW``: left out of every described species' prior (e.g. species held out of an
    evaluation).
  - ``same_names``: each described species not placed by a pair is the prior row of its name
    (as ``schema.species_key`` writes it: "Black-footed albatross" is
    "001.Black_footed_Albatross"); every one must have such a row.
  - ``none``: no described species not placed by a pair is in the prior; one named like a
    prior row is refused as a likely slip.

  Every described species must be placed, by a pair, ``same_names`` or ``none``. ROW is a
  prior row's name (or its ``species_key``), DESCRIBED a described species' name (or its key).

  Raises:
    ValueError in one line naming the item: a ROW not in the prior table, a DESCRIBED not
    described, a species placed nowhere or both in a row and in none, ``same_names`` with
    ``none``.
  """
  species = list(species)
  modes = {item for item in items if item in (SAME_NAMES, NOT_IN_PRIOR)}
  if len(modes) > 1:
    raise ValueError(f"--exclude_species: {SAME_NAMES} and {NOT_IN_PRIOR} contradict each "
                     f"other")
  held_out, placed, absent = set(), {}, set()
  for item in items:
    if item in modes:
      continue
    if "=" not in item:
      held_out.add(_index(known.species, item, "a row of the prior table", item))
      continue
    described, row = item.split("=", 1)
    name = species[_index(species, described, "a described species", item)]
    if row.strip() == NOT_IN_PRIOR:
      absent.add(name)
    else:
      placed.setdefault(name, set()).add(
          _index(known.species, row, "a row of the prior table", item))
    if name in absent and name in placed:
      raise ValueError(f"--exclude_species: {name!r} is placed both in a prior row and in "
                       f"none ({item!r})")
  keys = [schema.species_key(row) for row in known.species]
  for name in species:
    if name in placed or name in absent:
      continue
    same = {i for i, key in enumerate(keys) if key == schema.species_key(name)}
    if SAME_NAMES in modes:
      if not same:
        raise ValueError(f"--exclude_species={SAME_NAMES}: {name!r} is named like no row of "
                         f"the prior table; say which row it is ({name}=ROW) or {name}=none")
      placed[name] = same
    elif NOT_IN_PRIOR in modes:
      if same:
        row = known.species[min(same)]
        raise ValueError(f"--exclude_species={NOT_IN_PRIOR}: {name!r} is named like the prior "
                         f"row {row!r}; say {name}={row} or {name}=none")
      absent.add(name)
  unplaced = [name for name in species if name not in placed and name not in absent]
  if unplaced:
    raise ValueError(f"--exclude_species: {len(unplaced)} described species are not placed, "
                     f"e.g. {unplaced[:3]}: give DESCRIBED=ROW or DESCRIBED=none for each, or "
                     f"{SAME_NAMES} or {NOT_IN_PRIOR} for all")
  return {name: tuple(sorted(placed.get(name, set()) | held_out)) for name in species}


def _index(names, name: str, what: str, item: str) -> int:
  """The index into ``names`` of ``name``: the one spelt so, else the one of the same
  ``species_key``.

  Raises:
    ValueError naming ``item`` when none or several are.
  """
  names, name = list(names), name.strip()
  found = [i for i, n in enumerate(names) if n == name] or [
      i for i, n in enumerate(names) if schema.species_key(n) == schema.species_key(name)]
  if len(found) != 1:
    reason = "is not" if not found else "names several of"
    raise ValueError(f"--exclude_species: {name!r} ({item!r}) {reason} {what} "
                     f"({len(names)} of them, e.g. {names[:3]})")
  return found[0]


def metrics_path(out: str | os.PathLike) -> str:
  """Where the scores of the table at ``out`` go: ``TABLE.csv`` -> ``TABLE.metrics.json``."""
  stem, extension = os.path.splitext(os.fspath(out))
  return f"{stem if extension.lower() == '.csv' else os.fspath(out)}.metrics.json"


def run(descriptions_path: str, traits_path: str, out: str, reference_path: str | None = None,
        phrases_path: str | None = None, encoder_folder: str | os.PathLike = DEFAULT_ENCODER,
        show_progress: bool = True, prior_path: str | os.PathLike = DEFAULT_PRIOR,
        without: tuple[str, ...] = (), sentence_labels_path: str | None = None,
        exclude_species: tuple[str, ...] | None = None,
        provenance_path: str | None = None) -> dict | None:
  """Parses the descriptions into a table written to ``out``; with a reference, scores it.

  Inputs are all read and checked (species and trait names against the reference too) before
  any parsing. The encoder is loaded only when some trait is not read by the rules.

  Args:
    reference_path: a table (CSV) or a CUB root to score against; the reference's species that
      were not described are left out.
    prior_path: the known species of the prior (a CSV table or a CUB root, whose species with
      photos are known), or ``NO_PRIOR``.
    without: components or reader features to leave out (``fusion.parse_table``).
    sentence_labels_path: per-string appearance labels (JSON shaped like the descriptions).
    exclude_species: which rows of the prior table the described species are, and rows to
      hold out of every prior (``prior_exclusions``); required when a prior table is used.
    provenance_path: a JSON file to write what was read for each cell (`write_provenance`).

  Returns:
    ``scoring.compare``'s report plus "seconds" (parsing time), "appearance" (with sentence
    labels), "prior" and "prior_excluded" (each described species' rows left out of its
    prior), or None without a reference.

  Raises:
    FileNotFoundError for a missing input; ValueError for a malformed one, a reference whose
    species or traits differ from the descriptions' and the traits file's, a prior table used
    without ``exclude_species``, or an ``exclude_species`` item that names no prior row.
  """
  texts = descriptions.read_descriptions(descriptions_path)
  book = phrases.read_phrase_book(vocabulary.read_traits(traits_path), phrases_path)
  without = frozenset(without)
  fusion.check_without(without)
  reference = None
  if reference_path:
    reference = read_table(reference_path)
    try:
      reference = scoring.restrict(reference, tuple(texts))
      scoring.check_match(tuple(texts), book.traits, reference)
    except ValueError as e:
      raise ValueError(f"{reference_path}: {e}") from None
  labels = (descriptions.read_sentence_labels(sentence_labels_path, texts)
            if sentence_labels_path else None)
  known = read_prior(prior_path, book.traits)
  excluded = None
  if known is not None and "prior" not in without:
    if not exclude_species:
      raise ValueError(
          f"{os.fspath(prior_path)}: the prior table ({known.num_species} known species) may "
          f"hold the described species under other names: say which of its rows they are with "
          f"--exclude_species (DESCRIBED=ROW pairs, {SAME_NAMES}, or {NOT_IN_PRIOR})")
    excluded = prior_exclusions(known, tuple(texts), exclude_species)
    print(f"prior: {known.num_species} known species; "
          f"{sum(bool(rows) for rows in excluded.values())} of {len(excluded)} described "
          f"species leave rows of it out")
  elif [item for item in exclude_species or () if item not in (SAME_NAMES, NOT_IN_PRIOR)
        and not item.endswith(f"={NOT_IN_PRIOR}")]:
    raise ValueError("--exclude_species names prior rows, but no prior table is used")
  start = time.perf_counter()
  embed = None
  rules_read_all = "rules" not in without and all(fusion.understood(book.traits))
  if not rules_read_all and "encoder" not in without:
    embed = text.TextEncoder(encoder_folder).embed
  progress = lambda chunks: tqdm.tqdm(chunks, desc="embedding clauses", unit="chunk",
                                      disable=not show_progress)
  table = fusion.parse_table(texts, book, embed, known, without, progress=progress,
                             excluded=excluded)
  seconds = time.perf_counter() - start
  os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
  table.to_csv(out)
  print(f"wrote {out}: {table.num_species} species x {table.num_traits} traits in "
        f"{seconds:.1f} s")
  read = fusion.provenance(texts, book, without)
  print("\n".join(summary_lines(table, read)))
  if provenance_path:
    write_provenance(provenance_path, table, read)
    print(f"wrote {provenance_path}: the sentence and words behind each cell the text moved")
  if reference is None:
    return None
  report = dict(scoring.compare(table, reference), seconds=seconds,
                prior=None if known is None else f"{known.num_species} known species",
                prior_excluded=None if excluded is None else {
                    name: [known.species[i] for i in rows] for name, rows in excluded.items()})
  print(scoring.format_report(report))
  print(f"macro AUC over species {_number(report['overall']['species_auc'])}, over traits "
        f"{_number(report['overall']['trait_auc'])}; prior: {report['prior'] or 'none'}")
  if labels is not None:
    read = fusion.strings_about_appearance(texts)
    report["appearance"] = scoring.appearance_scores(
        [x for species in labels for x in read[species]],
        [x for species in labels for x in labels[species]])
    print(f"sentences about appearance: recall {_number(report['appearance']['recall'])}, "
          f"precision {_number(report['appearance']['precision'])} "
          f"({report['appearance']['labelled']} labelled, {report['appearance']['read']} read)")
  with open(metrics_path(out), "w") as f:
    json.dump(report, f, indent=1)
  print(f"wrote {metrics_path(out)}")
  return report


# Species the console summary lists (the provenance file has them all), and traits a species.
SUMMARY_SPECIES, SUMMARY_TRAITS = 25, 5


def summary_lines(table: schema.TraitTable, read: dict) -> list[str]:
  """One line per species (at most `SUMMARY_SPECIES`): how many cells its text moved, the
  `SUMMARY_TRAITS` it supports most with their scores, and those it denies."""
  lines = []
  for row, species in enumerate(table.species[:SUMMARY_SPECIES]):
    cells = read.get(species, {})
    column = {trait: table.traits.index(trait) for trait in cells}
    supported = sorted((trait for trait, items in cells.items()
                        if not all(item["denies"] for item in items)),
                       key=lambda trait: -table.values[row, column[trait]])
    denied = [trait for trait, items in cells.items() if any(item["denies"] for item in items)]
    shown = ", ".join(f"{trait} {table.values[row, column[trait]]:.2f}"
                      for trait in supported[:SUMMARY_TRAITS]) or "none"
    line = f"{species}: {len(cells)} traits read; most supported: {shown}"
    if denied:
      line += f"; denied: {', '.join(denied[:SUMMARY_TRAITS])}"
    lines.append(line)
  if table.num_species > SUMMARY_SPECIES:
    lines.append(f"... and {table.num_species - SUMMARY_SPECIES} more species "
                 "(--provenance has them all)")
  return lines


def write_provenance(path: str, table: schema.TraitTable, read: dict) -> None:
  """JSON: species -> trait -> {score (the table's cell), read (`fusion.provenance`'s items:
  the sentence, its words, how much they moved the cell, whether they deny it)}, for every cell
  the rules read something of."""
  payload = {species: {trait: {"score": round(float(table.values[row, table.traits.index(trait)]),
                                              3),
                               "read": items}
                       for trait, items in read.get(species, {}).items()}
             for row, species in enumerate(table.species)}
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  with open(path, "w") as f:
    json.dump(payload, f, indent=1)


def _number(value) -> str:
  return "-" if value is None else f"{value:.3f}"
