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


def metrics_path(out: str | os.PathLike) -> str:
  """Where the scores of the table at ``out`` go: ``TABLE.csv`` -> ``TABLE.metrics.json``."""
  stem, extension = os.path.splitext(os.fspath(out))
  return f"{stem if extension.lower() == '.csv' else os.fspath(out)}.metrics.json"


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
    without: components or reader features to leave out (``fusion.parse_table``).
    sentence_labels_path: per-string appearance labels (JSON shaped like the descriptions).

  Returns:
    ``scoring.compare``'s report plus "seconds" (parsing time), "appearance" (with sentence
    labels) and "prior", or None without a reference.

  Raises:
    FileNotFoundError for a missing input; ValueError for a malformed one or a reference whose
    species or traits differ from the descriptions' and the traits file's.
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
  start = time.perf_counter()
  embed = None
  rules_read_all = "rules" not in without and all(fusion.understood(book.traits))
  if not rules_read_all and "encoder" not in without:
    embed = text.TextEncoder(encoder_folder).embed
  progress = lambda chunks: tqdm.tqdm(chunks, desc="embedding clauses", unit="chunk",
                                      disable=not show_progress)
  table = fusion.parse_table(texts, book, embed, known, without, progress=progress)
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


def _number(value) -> str:
  return "-" if value is None else f"{value:.3f}"
