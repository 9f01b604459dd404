r"""Writes a synthetic flora's descriptions, trait names and table as files.

  python -m traitjax.data.flora_files --out=/tmp/flora [--seed=0] [--num_species=200]

Writes to --out the flora of ``FloraConfig`` defaults (with --seed and --num_species):
  descriptions.json  species name -> its description (the flora's text, written from the table);
  traits.txt         the trait names in CUB's attributes.txt format (``<id> group::value``);
  table.csv          the label table the descriptions were written from (``TraitTable.to_csv``).

These are what ``python -m traitjax.describe`` reads, so parsing the descriptions back into a
table can be scored against the table they came from.
"""

from __future__ import annotations

import json
import os
from typing import Sequence

from absl import app
from absl import flags

from traitjax.data import synthetic

DESCRIPTIONS_FILE = "descriptions.json"
TRAITS_FILE = "traits.txt"
TABLE_FILE = "table.csv"


def define_flags() -> None:
  """Defines the command-line flags; only when run as a program, as other modules that tests
  import together define --out too."""
  flags.DEFINE_string("out", None, "Folder for descriptions.json, traits.txt, table.csv.")
  flags.DEFINE_integer("seed", 0, "Seed of the flora.")
  flags.DEFINE_integer("num_species", 200, "Species in the flora (even, >= 4).")
  flags.mark_flags_as_required(["out"])


def write_attribute_names(path: str | os.PathLike, names: Sequence[str]) -> None:
  """Writes trait names as ``<id> <name>`` lines, ids from 1 (CUB's attributes.txt)."""
  with open(path, "w", encoding="utf-8") as f:
    f.writelines(f"{index} {name}\n" for index, name in enumerate(names, start=1))


def write_flora_files(flora: synthetic.Flora, out: str | os.PathLike) -> dict[str, str]:
  """Writes the three files of ``flora`` into ``out`` (created if needed); returns their
  paths by file name."""
  os.makedirs(out, exist_ok=True)
  paths = {name: os.path.join(out, name) for name in (DESCRIPTIONS_FILE, TRAITS_FILE, TABLE_FILE)}
  table = flora.label_table
  with open(paths[DESCRIPTIONS_FILE], "w", encoding="utf-8") as f:
    json.dump(dict(zip(table.species, flora.descriptions)), f, indent=1)
  write_attribute_names(paths[TRAITS_FILE], table.traits)
  table.to_csv(paths[TABLE_FILE])
  return paths


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  values = flags.FLAGS
  try:
    config = synthetic.FloraConfig(seed=values.seed, num_species=values.num_species)
  except ValueError as e:
    raise app.UsageError(str(e)) from None
  paths = write_flora_files(synthetic.Flora(config), values.out)
  print(f"wrote {config.num_species} species: " + ", ".join(paths.values()))


if __name__ == "__main__":
  define_flags()
  app.run(main)
