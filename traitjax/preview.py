r"""Looks at a dataset before training on it (`traitjax.data.summary`).

  python -m traitjax.preview --config=configs/default.py --out=/tmp/preview

Writes to --out:
  examples_<split>.png  a grid of photos with keypoints, species, degradation and traits
                        (per-photo visible traits where the dataset knows them, else the
                        species' strongest table traits);
  summary.png           examples per split, the species-frequency histogram of the training
                        split, trait prevalence in the table (and in photos, where known);
  summary.json          the same numbers, plus degradations and skipped files in a sample;
  trait_table.csv       the species x trait table that labels the data.
"""

import json

from absl import flags
from ml_collections import config_flags

from traitjax import cli
from traitjax import config_lib
from traitjax.data import summary

_CONFIG = config_flags.DEFINE_config_file("config", None, "Dataset config file.")
_OUT = flags.DEFINE_string("out", None, "Folder for the PNGs and the summary.")
_SAMPLE = flags.DEFINE_integer(
    "summary_examples", 256, "Photos read for the per-photo part of the summary.")
_DPI = flags.DEFINE_integer("dpi", 110, "Resolution of the PNGs.")
flags.mark_flags_as_required(["config", "out"])


def main(argv):
  del argv
  config_lib.check(_CONFIG.value, training=False)
  numbers = summary.write_preview(_CONFIG.value, _OUT.value, _SAMPLE.value, _DPI.value)
  print(json.dumps({k: numbers[k] for k in ("examples_per_split", "num_species", "num_traits",
                                            "train_images_per_seen_species")}))
  print(f"preview written to {_OUT.value}")


if __name__ == "__main__":
  cli.run(main)
