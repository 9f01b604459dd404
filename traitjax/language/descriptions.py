"""Species descriptions as files: a JSON object (species -> text or texts), a field guide's
entries, or a folder of text files; and labels of which of their strings describe appearance.
"""

from __future__ import annotations

import json
import os

from traitjax.language import encoder_reader

# The fields of a field guide's species entry that describe the organism, in reading order
# (``species.json`` of the Leafsnap guide: "description", "growth"; not its "bloom",
# "habitat" or "longevity").
GUIDE_FIELDS = ("description", "growth")


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
    return encoder_reader.description_texts(descriptions)
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


def read_sentence_labels(path: str | os.PathLike, descriptions: dict) -> dict[str, list]:
  """Species -> a label per description string (1 about appearance, 0.5 partly, 0 not).

  Raises:
    FileNotFoundError, or ValueError when the labels do not match the descriptions' shape.
  """
  path = os.fspath(path)
  labels = _read_json(path, "sentence labels file")
  texts = encoder_reader.description_texts(descriptions)
  for species, strings in texts.items():
    row = labels.get(species) if isinstance(labels, dict) else None
    if not isinstance(row, list) or len(row) != len(strings) or not all(
        isinstance(x, (int, float)) for x in row):
      raise ValueError(f"{path}: {species!r} needs one number per description string "
                       f"({len(strings)})")
  return {species: labels[species] for species in texts}
