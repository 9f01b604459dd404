r"""The frozen-feature baseline for zero-shot CUB: ridge regression to the attribute rows.

  python benchmarks/cub_zeroshot_ridge.py
  python benchmarks/cub_zeroshot_ridge.py --cub_root=PATH/cub25 --ridge=1,10,100,1000

For each 20/5 split of configs/cub_zeroshot_splits.py: a ridge regression from the pooled
ImageNet EfficientNet-Lite0 features of the 20 trained species' train photos (cropped to the
bird box at 224 px, as configs/cub.py) to their species' attribute rows, then each photo of the
5 held-out species (train and test, as in the `zeroshot` split) goes to the held-out row most
cosine-similar to its predicted row.
Prints one JSON line per ridge penalty: zero-shot top-1 per split and its mean, with the rows
compared as they are and about the mean row of the table (centred, as the `cosine` species
head compares them). The penalty is chosen on the scored photos: upper bounds.
"""

import json
import os
import sys

from absl import flags
import numpy as np

from traitjax import cli
from traitjax.data import cub

import cub_features  # pylint: disable=g-bad-import-order
import cub_flags  # pylint: disable=g-bad-import-order

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "configs"))
import cub_zeroshot_splits  # pylint: disable=g-bad-import-order,g-import-not-at-top

_RIDGE = flags.DEFINE_list("ridge", ["1", "10", "100", "1000"], "Ridge penalties.")
cli.require_numbers("ridge", lower=0)


def _ridge(features, targets, penalty):
  """Ridge regression with an intercept: features [N, C] -> a predictor of targets [N, T]."""
  mean, target_mean = features.mean(0), targets.mean(0)
  centred = features - mean
  weights = np.linalg.solve(centred.T @ centred + penalty * np.eye(features.shape[1]),
                            centred.T @ (targets - target_mean))
  return lambda x: (x - mean) @ weights + target_mean


def _cosine(a, b):
  unit = lambda x: x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)
  return unit(a) @ unit(b).T


def main(argv):
  del argv
  dataset = cub.CubDataset(cub_flags.CUB_ROOT.value)
  forward = cub_features.backbone_forward(cub_flags.WEIGHTS.value)
  splits = {split: cub.CubSource(dataset, split, 224, crop_to_bbox=True)
            for split in ("train", "test")}
  features = {split: cub_features.pooled_features(source, forward).astype(np.float64)
              for split, source in splits.items()}
  labels = {split: np.asarray(source.labels) for split, source in splits.items()}
  every_feature = np.concatenate([features["train"], features["test"]])
  every_label = np.concatenate([labels["train"], labels["test"]])
  table = np.nan_to_num(dataset.trait_table.values.astype(np.float64), nan=0.5)
  centre = table.mean(0)
  for penalty in map(float, _RIDGE.value):
    top1 = {"as_is": [], "centred": []}
    for heldout_ids in cub_zeroshot_splits.HELDOUT_SPLITS:
      heldout = np.searchsorted(dataset.class_ids, heldout_ids)
      trained = ~np.isin(labels["train"], heldout)
      predict = _ridge(features["train"][trained], table[labels["train"][trained]], penalty)
      # Every photo of a held-out species (train and test), as the `zeroshot` split has them.
      tested = np.isin(every_label, heldout)
      predicted = predict(every_feature[tested])
      for name, shift in (("as_is", 0.0), ("centred", centre)):
        best = heldout[np.argmax(_cosine(predicted - shift, table[heldout] - shift), -1)]
        top1[name].append(round(float(np.mean(best == every_label[tested])), 4))
    print(json.dumps({"ridge": penalty, **{
        name: {"zeroshot_top1_by_split": values, "mean": round(float(np.mean(values)), 4)}
        for name, values in top1.items()}}), flush=True)


if __name__ == "__main__":
  cli.run(main)
