r"""The frozen-feature baseline for EuroSAT, and the habitat config's train-step speed.

  python benchmarks/eurosat_probe.py
  python benchmarks/eurosat_probe.py --image_sizes=64,128,224 --max_tiles_per_class=100
  python benchmarks/eurosat_probe.py --config.data.root=PATH/eurosat --l2=1e-3,1e-2

For each image size (default: the config's), on the split of `--config` (configs/eurosat.py;
any field can be overridden, e.g. `--config.data.root`): pools ImageNet EfficientNet-Lite0's
features (`model.pretrained`) of the train and test tiles, each resized whole to that size,
fits a multinomial logistic regression with an L2 penalty by L-BFGS on the train tiles, and
scores it on the val and test tiles (`probe.top1_by_l2`); the penalty with the best val top-1
is the probe's (`l2_chosen_on_val`, its `test_top1`), the bar the trained model has to clear.
Then it times the config's
train step at that size, its `optim.frozen` modules as constants (`step_timing.
train_step_rates`: on one in-memory batch, and fed by the input pipeline with the config's
workers; `steps_per_s` is the latter), what `configs/eurosat.py`'s image size and trained
stages were weighed by (`--config.optim.frozen="('backbone',)"` times the frozen backbone).
Prints one JSON line per size; `--out=FILE` also writes them as one JSON file (`by_size`, in
the order of `--image_sizes`) for `python -m traitjax.results --store`.

`--max_tiles_per_class=N` takes the first N train, val and test tiles of each class of the
split (0: all of them; 864, 96 and 240 a class on the shared folder): a quick look, and what a
check on a small machine runs.
"""

import json
import os

from absl import flags
from ml_collections import config_flags
import numpy as np

from traitjax import cli
from traitjax.data import sources

import cub_features  # pylint: disable=g-bad-import-order
import probe  # pylint: disable=g-bad-import-order
import step_timing  # pylint: disable=g-bad-import-order

_CONFIG = config_flags.DEFINE_config_file(
    "config", os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "configs",
                           "eurosat.py"), "The habitat config: data split, weights, batch.")
_IMAGE_SIZES = flags.DEFINE_list("image_sizes", [], "Image sides in pixels (default: the "
                                 "config's data.image_size).")
cli.require_numbers("image_sizes", lower=1)
_MAX_TILES = flags.DEFINE_integer("max_tiles_per_class", 0, "Train and test tiles per class "
                                  "(0: all).", lower_bound=0)
_L2 = flags.DEFINE_list("l2", ["1e-4", "1e-3", "1e-2"], "L2 penalties on the weights.")
cli.require_numbers("l2", lower=0)
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 50, "Tiles per forward pass.", lower_bound=1)
_OUT = flags.DEFINE_string("out", "", "Also write the lines to this JSON file.")
_STEPS = flags.DEFINE_integer("steps", 20, "Timed train steps per measurement (0: no timing).",
                              lower_bound=0)


def _first_per_class(source, count: int) -> sources.Subset:
  """The first `count` examples of each class of `source` (all of them when count is 0)."""
  labels = np.asarray(source.labels)
  if count == 0:
    return sources.Subset(source, np.arange(len(labels)))
  chosen = [np.flatnonzero(labels == label)[:count] for label in np.unique(labels)]
  return sources.Subset(source, np.concatenate(chosen))


def main(argv):
  del argv
  config = _CONFIG.value
  forward = cub_features.backbone_forward(config.model.pretrained)
  sizes = [int(size) for size in _IMAGE_SIZES.value] or [config.data.image_size]
  lines = []
  for size in sizes:
    config.data.image_size = size
    splits = {split: _first_per_class(sources.make_source(config.data, split), _MAX_TILES.value)
              for split in ("train", "val", "test")}
    features = {split: cub_features.pooled_features(source, forward, _BATCH_SIZE.value)
                for split, source in splits.items()}
    num_classes = splits["train"].trait_table.num_species
    top1 = {split: probe.top1_by_l2(features["train"], splits["train"].labels, features[split],
                                    splits[split].labels, num_classes, _L2.value)
            for split in ("val", "test")}
    chosen = max(top1["val"], key=top1["val"].get)
    result = {"image_size": size, "classes": num_classes,
              **{f"{split}_tiles": len(source) for split, source in splits.items()},
              "val_top1_by_l2": top1["val"], "test_top1_by_l2": top1["test"],
              "l2_chosen_on_val": float(chosen), "test_top1": top1["test"][chosen]}
    if _STEPS.value:
      rates = step_timing.train_step_rates(config, _STEPS.value, config.input.num_workers)
      batch_size = config.input.batch_size
      result.update(batch=batch_size, frozen=list(config.optim.frozen), **rates,
                    steps_per_s=round(rates["pipeline_images_per_s"] / batch_size, 2))
    lines.append(result)
    print(json.dumps(result), flush=True)
  if _OUT.value:
    with open(_OUT.value, "w") as out:
      json.dump({"by_size": lines}, out, indent=1)


if __name__ == "__main__":
  cli.run(main)
