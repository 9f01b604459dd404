r"""What a trait detector scores by copying the table: the reference line of the noise sweep.

  python benchmarks/copy_table_auc.py
  python benchmarks/copy_table_auc.py --flips=0,0.3 --split=test
  python benchmarks/copy_table_auc.py --out=copy_table_auc.json

For each flip rate of configs/noise_sweep.py (false positives and false negatives alike, its 20%
missing cells), every photo of `split` gets its species' row of the noisy table as its trait
scores (a missing cell scores 0.5), and the visible-trait AUC is computed as for a model
(`metrics.auc.mean_trait_auc` against `traits_visible`). A detector that learned each species' row
and nothing of the photo scores this. Also prints the clean rows (yes/no at 0.5), the ceiling
of any species-level table. Prints one JSON line per flip rate; with `--out` also writes them
as one JSON file (`by_flips`, a list in the order of `--flips`) for `python -m traitjax.results
--store`.
"""

import json
import os

from absl import flags
import numpy as np

from traitjax import cli
from traitjax import config_lib
from traitjax.data import schema
from traitjax.data import sources
from traitjax.metrics import auc

_FLIPS = flags.DEFINE_list("flips", ["0", "0.1", "0.2", "0.3"], "Flip rates to score.")
cli.require_numbers("flips", lower=0, upper=1)
_SPLIT = flags.DEFINE_string("split", "test", "Split whose photos are scored.")
_OUT = flags.DEFINE_string("out", "", "Also write the lines to this JSON file.")

_CONFIG = os.path.join(os.path.dirname(__file__), "..", "configs", "noise_sweep.py")


def _row_scores(table: np.ndarray, species: np.ndarray) -> np.ndarray:
  """[N, T] each photo's species row, missing cells at 0.5 (tied photos share their rank in
  the AUC)."""
  return np.nan_to_num(table[species], nan=0.5)


def main(argv):
  del argv
  config = config_lib.load_config_file(_CONFIG).get_config()
  lines = []
  for flip in map(float, _FLIPS.value):
    config.data.false_positive = config.data.false_negative = flip
    source = sources.make_source(config.data, _SPLIT.value)
    flora = source.flora
    examples = [source[i] for i in range(len(source))]
    species = np.array([example[schema.SPECIES] for example in examples])
    visible = np.stack([example[schema.TRAITS_VISIBLE] for example in examples])
    lines.append({
        "flips": flip, "split": _SPLIT.value, "num_photos": len(species),
        "noisy_rows_auc": auc.mean_trait_auc(_row_scores(flora.label_table.values, species),
                                             visible),
        "clean_rows_auc": auc.mean_trait_auc(
            _row_scores(flora.truth_table.threshold(0.5).values, species), visible)})
    print(json.dumps(lines[-1]), flush=True)
  if _OUT.value:
    with open(_OUT.value, "w") as out:
      json.dump({"by_flips": lines}, out, indent=1)


if __name__ == "__main__":
  cli.run(main)
