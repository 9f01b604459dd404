r"""Free-text species descriptions -> a species x trait table (and its scores).

  python -m traitjax.describe --descriptions=FILE.json --traits=TRAITS.txt --out=TABLE.csv \
      [--reference=REFERENCE.csv] [--phrases=OVERRIDES] [--encoder=FOLDER]

--descriptions  a JSON object: species name -> description string or list of strings.
--traits        trait names, CUB's attributes.txt format (``<id> group::value`` per line) or one
                phrase per line (each phrase a trait of its own).
--out           the table: header ``species,<trait 1>,...``, one row per species, each cell a
                confidence in [0, 1], empty where the text says nothing about the trait's group.
--reference     a table of the same layout (matched by species and trait names); prints
                precision, recall, F1 of present traits and AUC, overall and per trait group,
                and writes them to the --out path with ``.metrics.json`` for ``.csv``.
--phrases       phrases replacing the automatic ones: JSON {name: phrase} or name<TAB>phrase
                lines, a name being a trait or a group.
--encoder       a sentence-encoder checkpoint folder (``models.text.TextEncoder``); default
                ``DEFAULT_ENCODER``, all-MiniLM-L6-v2 in the ``shared`` folder beside the
                checkout.

The method is ``traitjax.language.extract``. Try it on the synthetic flora:

  python -m traitjax.data.flora_files --out=/tmp/flora
  python -m traitjax.describe --descriptions=/tmp/flora/descriptions.json \
      --traits=/tmp/flora/traits.txt --out=/tmp/flora/parsed.csv --reference=/tmp/flora/table.csv
"""

from __future__ import annotations

import json
import os
import pathlib
import sys
import time

from absl import app
from absl import flags
import tqdm

from traitjax.data import schema
from traitjax.language import extract
from traitjax.language import phrases
from traitjax.language import scoring
from traitjax.models import text

DEFAULT_ENCODER = (pathlib.Path(__file__).resolve().parents[2] / "shared" / "weights"
                   / "all-MiniLM-L6-v2")


def define_flags() -> None:
  """Defines the command-line flags; only when run as a program, as other modules that tests
  import together define --out too."""
  flags.DEFINE_string(
      "descriptions", None, "JSON: species name -> description string or list of strings.")
  flags.DEFINE_string(
      "traits", None, "Trait names: attributes.txt format (<id> <name>) or one phrase per line.")
  flags.DEFINE_string("out", None, "The species x trait table to write (CSV).")
  flags.DEFINE_string(
      "reference", None, "A reference table (CSV, same layout) to score the parsed table against.")
  flags.DEFINE_string(
      "phrases", None, "Phrase overrides: JSON {name: phrase} or name<TAB>phrase lines.")
  flags.DEFINE_string("encoder", str(DEFAULT_ENCODER), "Sentence-encoder checkpoint folder.")
  flags.mark_flags_as_required(["descriptions", "traits", "out"])


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


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  values = flags.FLAGS
  try:
    run(values.descriptions, values.traits, values.out, values.reference, values.phrases,
        values.encoder)
  except (FileNotFoundError, ValueError) as e:
    sys.exit(f"traitjax.describe: {e}")


if __name__ == "__main__":
  define_flags()
  app.run(main)
