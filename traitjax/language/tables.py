"""Free-text species descriptions -> a species x trait table written as CSV, and its scores
against a reference table (`python -m traitjax.describe` runs it; the method is
``traitjax.language.extract``)."""

from __future__ import annotations

import json
import os
import pathlib
import time

import tqdm

from traitjax.data import schema
from traitjax.language import extract
from traitjax.language import phrases
from traitjax.language import scoring
from traitjax.models import text

# all-MiniLM-L6-v2 in the ``shared`` folder beside the checkout.
DEFAULT_ENCODER = (pathlib.Path(__file__).resolve().parents[3] / "shared" / "weights"
                   / "all-MiniLM-L6-v2")


def read_descriptions(path: str | os.PathLike) -> dict[str, object]:
  """Species name -> description string or list of strings, from a JSON file.

  Raises:
    FileNotFoundError when the file is missing; ValueError when it is not a JSON object of
    strings or lists of strings, or is empty.
  """
  path = os.fspath(path)
  if not os.path.isfile(path):
    raise FileNotFoundError(f"descriptions file not found: {path}")
  with open(path, encoding="utf-8") as f:
    try:
      descriptions = json.load(f)
    except json.JSONDecodeError as e:
      raise ValueError(f"{path}: not valid JSON: {e}") from None
  if not isinstance(descriptions, dict) or not descriptions:
    raise ValueError(f"{path}: expected a non-empty JSON object mapping species names to "
                     f"descriptions")
  try:
    extract.description_texts(descriptions)
  except ValueError as e:
    raise ValueError(f"{path}: {e}") from None
  return descriptions


def metrics_path(out: str | os.PathLike) -> str:
  """Where the scores of the table at ``out`` go: ``TABLE.csv`` -> ``TABLE.metrics.json``."""
  stem, extension = os.path.splitext(os.fspath(out))
  return f"{stem if extension.lower() == '.csv' else os.fspath(out)}.metrics.json"


def run(descriptions_path: str, traits_path: str, out: str, reference_path: str | None = None,
        phrases_path: str | None = None, encoder_folder: str | os.PathLike = DEFAULT_ENCODER,
        show_progress: bool = True) -> dict | None:
  """Parses the descriptions into a table written to ``out``; with a reference, scores it.

  Inputs are all read and checked (species and trait names against the reference too) before
  the encoder is loaded.

  Returns:
    ``scoring.compare``'s report plus "seconds" (parsing time), or None without a reference.

  Raises:
    FileNotFoundError for a missing input; ValueError for a malformed one or a reference whose
    species or traits differ from the descriptions' and the traits file's.
  """
  descriptions = read_descriptions(descriptions_path)
  overrides = phrases.read_phrase_overrides(phrases_path) if phrases_path else None
  book = phrases.phrase_book(phrases.read_traits(traits_path), overrides)
  reference = None
  if reference_path:
    reference = schema.TraitTable.from_csv(reference_path)
    try:
      scoring.check_match(tuple(descriptions), book.traits, reference)
    except ValueError as e:
      raise ValueError(f"{reference_path}: {e}") from None
  start = time.perf_counter()
  encoder = text.TextEncoder(encoder_folder)
  progress = lambda chunks: tqdm.tqdm(chunks, desc="embedding clauses", unit="chunk",
                                      disable=not show_progress)
  table = extract.describe_table(descriptions, book, encoder.embed, progress=progress)
  seconds = time.perf_counter() - start
  os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
  table.to_csv(out)
  print(f"wrote {out}: {table.num_species} species x {table.num_traits} traits in "
        f"{seconds:.1f} s")
  if reference is None:
    return None
  report = dict(scoring.compare(table, reference), seconds=seconds)
  print(scoring.format_report(report))
  with open(metrics_path(out), "w") as f:
    json.dump(report, f, indent=1)
  print(f"wrote {metrics_path(out)}")
  return report
