"""Free-text species descriptions -> a species x trait table written as CSV, and its scores
against a reference table (`python -m traitjax.describe` runs it; the method is
``traitjax.language.parse``)."""

from __future__ import annotations

import json
import os
import pathlib
import time

import tqdm

from traitjax.data import cub
from traitjax.data import schema
from traitjax.language import extract
from traitjax.language import parse
from traitjax.language import phrases
from traitjax.language import scoring
from traitjax.models import text

_SHARED = pathlib.Path(__file__).resolve().parents[3] / "shared"
# all-MiniLM-L6-v2 in the ``shared`` folder beside the checkout.
DEFAULT_ENCODER = _SHARED / "weights" / "all-MiniLM-L6-v2"
# The known species of the prior: cub25 in the ``shared`` folder, used when the vocabulary is
# its attributes'.
DEFAULT_PRIOR = _SHARED / "data" / "cub25"
NO_PRIOR = "none"
# The fields of a field guide's species entry that describe the organism, in reading order
# (``species.json`` of ../shared/data/leafsnap_guide: "description", "growth"; not its
# "bloom", "habitat" or "longevity").
GUIDE_FIELDS = ("description", "growth")


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


def read_descriptions(paths: str | os.PathLike) -> dict[str, list[str]]:
  """Species name -> its description strings, from one or several sources (comma-separated):
  a JSON file mapping species names to a string or a list of strings, a field guide's JSON
  mapping species names to entries (objects: their ``GUIDE_FIELDS`` strings are the
  species' description), or a folder of text files, one per species (``Black-footed
  Albatross.txt``; the name is the file's stem). The strings of a species in several sources
  are joined in the order given.

  Raises:
    FileNotFoundError when a source is missing; ValueError when a file is not a JSON object of
    strings, lists of strings or entries, or a source describes nothing.
  """
  merged: dict[str, list[str]] = {}
  for path in [p.strip() for p in os.fspath(paths).split(",") if p.strip()]:
    for species, strings in _read_source(path).items():
      merged.setdefault(species, []).extend(strings)
  if not merged:
    raise ValueError(f"no descriptions in {os.fspath(paths)!r}")
  return merged


def _read_source(path: str) -> dict[str, list[str]]:
  if os.path.isdir(path):
    files = sorted(f for f in os.listdir(path) if f.endswith(".txt") and not f.startswith("."))
    if not files:
      raise ValueError(f"{path}: no .txt descriptions in the folder")
    descriptions = {}
    for name in files:
      with open(os.path.join(path, name), encoding="utf-8") as f:
        descriptions[os.path.splitext(name)[0]] = f.read()
  else:
    descriptions = _read_json(path, "descriptions file")
    if not isinstance(descriptions, dict) or not descriptions:
      raise ValueError(f"{path}: expected a non-empty JSON object mapping species names to "
                       f"descriptions")
    if all(isinstance(entry, dict) for entry in descriptions.values()):
      descriptions = {species: _guide_text(path, species, entry)
                      for species, entry in descriptions.items()}
  try:
    return extract.description_texts(descriptions)
  except ValueError as e:
    raise ValueError(f"{path}: {e}") from None


def _guide_text(path: str, species: str, entry: dict) -> str:
  """The description of a field guide's entry: its ``GUIDE_FIELDS`` strings, joined."""
  text = " ".join(entry[field].strip() for field in GUIDE_FIELDS
                  if isinstance(entry.get(field), str) and entry[field].strip())
  if not text:
    raise ValueError(f"{path}: the entry of {species!r} has none of the fields "
                     f"{', '.join(GUIDE_FIELDS)}")
  return text


def _read_json(path: str, what: str):
  if not os.path.isfile(path):
    raise FileNotFoundError(f"{what} not found: {path}")
  with open(path, encoding="utf-8") as f:
    try:
      return json.load(f)
    except json.JSONDecodeError as e:
      raise ValueError(f"{path}: not valid JSON: {e}") from None


def metrics_path(out: str | os.PathLike) -> str:
  """Where the scores of the table at ``out`` go: ``TABLE.csv`` -> ``TABLE.metrics.json``."""
  stem, extension = os.path.splitext(os.fspath(out))
  return f"{stem if extension.lower() == '.csv' else os.fspath(out)}.metrics.json"


def read_sentence_labels(path: str | os.PathLike, descriptions: dict) -> dict[str, list]:
  """Species -> a label per description string (1 about appearance, 0.5 partly, 0 not).

  Raises:
    FileNotFoundError, or ValueError when the labels do not match the descriptions' shape.
  """
  path = os.fspath(path)
  labels = _read_json(path, "sentence labels file")
  texts = extract.description_texts(descriptions)
  for species, strings in texts.items():
    row = labels.get(species) if isinstance(labels, dict) else None
    if not isinstance(row, list) or len(row) != len(strings) or not all(
        isinstance(x, (int, float)) for x in row):
      raise ValueError(f"{path}: {species!r} needs one number per description string "
                       f"({len(strings)})")
  return {species: labels[species] for species in texts}


def run(descriptions_path: str, traits_path: str, out: str, reference_path: str | None = None,
        phrases_path: str | None = None, encoder_folder: str | os.PathLike = DEFAULT_ENCODER,
        show_progress: bool = True, prior_path: str | os.PathLike = DEFAULT_PRIOR,
        without: tuple[str, ...] = (), sentence_labels_path: str | None = None) -> dict | None:
  """Parses the descriptions into a table written to ``out``; with a reference, scores it.

  Inputs are all read and checked (species and trait names against the reference too) before
  any parsing. The encoder is loaded only when some trait is not read by the rules.

  Args:
    reference_path: a table (CSV) or a CUB root to score against; the reference's species that
      were not described are left out.
    prior_path: the known species of the prior (a CSV table or a CUB root, whose species with
      photos are known), or ``NO_PRIOR``.
    without: components or reader features to leave out (``parse.parse_table``).
    sentence_labels_path: per-string appearance labels (JSON shaped like the descriptions).

  Returns:
    ``scoring.compare``'s report plus "seconds" (parsing time), "appearance" (with sentence
    labels) and "prior", or None without a reference.

  Raises:
    FileNotFoundError for a missing input; ValueError for a malformed one or a reference whose
    species or traits differ from the descriptions' and the traits file's.
  """
  descriptions = read_descriptions(descriptions_path)
  book = phrases.read_phrase_book(phrases.read_traits(traits_path), phrases_path)
  without = frozenset(without)
  parse.check_without(without)
  reference = None
  if reference_path:
    reference = read_table(reference_path)
    try:
      reference = scoring.restrict(reference, tuple(descriptions))
      scoring.check_match(tuple(descriptions), book.traits, reference)
    except ValueError as e:
      raise ValueError(f"{reference_path}: {e}") from None
  labels = (read_sentence_labels(sentence_labels_path, descriptions)
            if sentence_labels_path else None)
  known = read_prior(prior_path, book.traits)
  start = time.perf_counter()
  embed = None
  rules_read_all = "rules" not in without and all(parse.understood(book.traits))
  if not rules_read_all and "encoder" not in without:
    embed = text.TextEncoder(encoder_folder).embed
  progress = lambda chunks: tqdm.tqdm(chunks, desc="embedding clauses", unit="chunk",
                                      disable=not show_progress)
  table = parse.parse_table(descriptions, book, embed, known, without, progress=progress)
  seconds = time.perf_counter() - start
  os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
  table.to_csv(out)
  print(f"wrote {out}: {table.num_species} species x {table.num_traits} traits in "
        f"{seconds:.1f} s")
  if reference is None:
    return None
  report = dict(scoring.compare(table, reference), seconds=seconds,
                prior=None if known is None else f"{known.num_species} known species")
  print(scoring.format_report(report))
  print(f"macro AUC over species {_number(report['overall']['species_auc'])}, over traits "
        f"{_number(report['overall']['trait_auc'])}; prior: {report['prior'] or 'none'}")
  if labels is not None:
    read = parse.strings_about_appearance(descriptions)
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


def _number(value) -> str:
  return "-" if value is None else f"{value:.3f}"
