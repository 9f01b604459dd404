r"""Writes a synthetic flora's descriptions, trait names and table as files.

  python -m traitjax.flora_files --out=/tmp/flora [--seed=0] [--num_species=200]

Writes to --out (``synthetic_flora.write_flora_files``) the flora of ``synthetic_flora.Config``
defaults (with --seed and --num_species):
  descriptions.json  species name -> its description (the flora's text, written from the table);
  traits.txt         the trait names in CUB's attributes.txt format (``<id> group::value``);
  table.csv          the label table the descriptions were written from (``TraitTable.to_csv``).

These are what ``python -m traitjax.describe`` reads, so parsing the descriptions back into a
table can be scored against the table they came from.
"""

from absl import app
from absl import flags

from traitjax import cli
from traitjax.data import synthetic_flora

_OUT = flags.DEFINE_string("out", None, "Folder for descriptions.json, traits.txt, table.csv.")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the flora.")
_NUM_SPECIES = flags.DEFINE_integer("num_species", 200, "Species in the flora (even, >= 4).")
flags.mark_flags_as_required(["out"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  config = synthetic_flora.Config(seed=_SEED.value, num_species=_NUM_SPECIES.value)
  paths = synthetic_flora.write_flora_files(synthetic_flora.Flora(config), _OUT.value)
  print(f"wrote {config.num_species} species: " + ", ".join(paths.values()))


if __name__ == "__main__":
  cli.run(main)
