r"""The frozen-feature baseline for zero-shot CUB: ridge regression to the attribute rows.

  python benchmarks/cub_zeroshot_ridge.py --out=FILE
  python benchmarks/cub_zeroshot_ridge.py --cub_root=PATH/cub25 --ridge=1,10,100,1000 --folds=4

For each 20/5 split of configs/cub_zeroshot_splits.py: a ridge regression from the pooled
ImageNet EfficientNet-Lite0 features of the 20 seen species' train photos (cropped to the bird
box at 224 px, as configs/cub.py) to their species' attribute rows, then each photo of the 5
unseen species (train and test, as in the `zeroshot` split) goes to the unseen row most
cosine-similar to its predicted row; the rows are compared as they are and about the mean row of
the 20 seen species (centred, as the `cosine` species head compares them).
Inductive: nothing of an unseen species (row or photo) is used before it is scored. The penalty
(among --ridge, for each variant and split) is chosen by species-level cross-validation within
the seen species: --folds seeded folds of them, each fold's species named from their rows by a
regression fitted on the other seen species' train photos (and centred about those species'
rows), scored on the fold species' train photos; the best mean fold top-1 (per-class) wins, a
tie going to the first listed. Then a refit on all 20 seen species scores the unseen 5 once.
Prints one JSON object (and writes it to --out): per split the chosen penalties, their
cross-validation top-1, and zero-shot top-1 both per class (the mean over the 5 species of the
share of their photos named right) and per photo; and their means over the splits.
"""

import errno
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

_RIDGE = flags.DEFINE_list("ridge", ["1", "10", "100", "1000"], "Ridge penalties to choose from.")
cli.require_numbers("ridge", lower=0)
# At most 10 folds of the 20 seen species, so that each fold names among at least 2 rows.
_FOLDS = flags.DEFINE_integer("folds", 4, "Species-level cross-validation folds of the seen "
                              "species that choose the penalty.", lower_bound=2, upper_bound=10)
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the seen species' split into folds.")
_OUT = flags.DEFINE_string("out", None, "JSON file to write the printed results to too.")

_VARIANTS = ("as_is", "centred")


def _ridge(features, targets, penalties):
  """Ridge regressions with an intercept, features [N, C] -> targets [N, T]: a predictor per
  penalty (one eigendecomposition serves them all; a penalty of 0 gives least squares' smallest
  solution)."""
  mean, target_mean = features.mean(0), targets.mean(0)
  centred = features - mean
  eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
  eigenvalues = np.maximum(eigenvalues, 0)  # Rounding leaves a singular Gram's zeros below 0.
  projected = eigenvectors.T @ (centred.T @ (targets - target_mean))

  def predictor(penalty):
    scale = eigenvalues + penalty
    scale = np.divide(1, scale, out=np.zeros_like(scale), where=scale > 0)
    weights = eigenvectors @ (projected * scale[:, None])
    return lambda x: (x - mean) @ weights + target_mean

  return [predictor(penalty) for penalty in penalties]


def _cosine(a, b):
  unit = lambda x: x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)
  return unit(a) @ unit(b).T


def _name(predicted, labels, species, table, centre):
  """Top-1 of naming photos (their predicted rows, their labels) among `species` by their rows,
  compared about `centre`: (per class, per photo)."""
  named = species[np.argmax(_cosine(predicted - centre, table[species] - centre), -1)]
  right = named == labels
  return float(np.mean([right[labels == s].mean() for s in species])), float(right.mean())


def _centre(table, fitted, variant):
  """The point rows are compared about: the mean row of the fitted species alone for `centred`
  (so the species to be named stay unseen)."""
  return table[fitted].mean(0) if variant == "centred" else np.zeros(table.shape[1])


def _cross_validated_top1(features, labels, table, seen, penalties):
  """{variant: mean over the folds of `seen` of the per-class top-1 of naming the fold's species
  (their train photos) among themselves, for each penalty}."""
  rng = np.random.default_rng(_SEED.value)
  top1 = {variant: [] for variant in _VARIANTS}
  for fold in np.array_split(rng.permutation(seen), _FOLDS.value):
    fitted = np.setdiff1d(seen, fold)
    train, named = np.isin(labels, fitted), np.isin(labels, fold)
    predictors = _ridge(features[train], table[labels[train]], penalties)
    predicted = [predict(features[named]) for predict in predictors]
    for variant in _VARIANTS:
      centre = _centre(table, fitted, variant)
      top1[variant].append([_name(p, labels[named], np.sort(fold), table, centre)[0]
                            for p in predicted])
  return {variant: np.mean(values, 0) for variant, values in top1.items()}


def _rounded(top1):
  return round(float(top1), 4)


def main(argv):
  del argv
  penalties = [float(p) for p in _RIDGE.value]
  folder = os.path.dirname(os.path.abspath(_OUT.value or "."))
  if not os.path.isdir(folder):  # Said now, not after minutes of feature extraction.
    raise FileNotFoundError(errno.ENOENT, "--out: no such folder", folder)
  dataset = cub.CubDataset(cub_flags.CUB_ROOT.value)
  forward = cub_features.backbone_forward(cub_flags.WEIGHTS.value)
  sources = {split: cub.CubSource(dataset, split, 224, crop_to_bbox=True)
             for split in ("train", "test")}
  features = {split: cub_features.pooled_features(source, forward).astype(np.float64)
              for split, source in sources.items()}
  labels = {split: np.asarray(source.labels) for split, source in sources.items()}
  every_feature = np.concatenate([features["train"], features["test"]])
  every_label = np.concatenate([labels["train"], labels["test"]])
  # A species without a value for an attribute gets the undecided 0.5 (no other row is looked at).
  table = np.nan_to_num(dataset.trait_table.values.astype(np.float64), nan=0.5)
  train = (features["train"], labels["train"])
  splits, top1 = [], {variant: [] for variant in _VARIANTS}  # top1: unrounded, for the means
  for heldout_ids in cub_zeroshot_splits.HELDOUT_SPLITS:
    unseen = np.searchsorted(dataset.class_ids, heldout_ids)
    seen = np.setdiff1d(np.arange(len(dataset.class_ids)), unseen)
    # The penalty is chosen on the seen species' train photos alone: their test photos are the
    # seen top-1's, and nothing of the unseen species may be looked at before they are scored.
    cv_top1 = _cross_validated_top1(*train, table, seen, penalties)
    fitted = np.isin(train[1], seen)
    # Every photo of an unseen species (train and test), as the `zeroshot` split has them.
    scored = np.isin(every_label, unseen)
    split = {"unseen_species": list(heldout_ids)}
    for variant in _VARIANTS:
      chosen = penalties[int(np.argmax(cv_top1[variant]))]  # The first of equal bests.
      predict, = _ridge(train[0][fitted], table[train[1][fitted]], [chosen])
      per_class, per_photo = _name(predict(every_feature[scored]), every_label[scored], unseen,
                                   table, _centre(table, seen, variant))
      top1[variant].append((per_class, per_photo))
      split[variant] = {"ridge": chosen,
                        "cv_top1_per_class_by_ridge": [_rounded(v) for v in cv_top1[variant]],
                        "zeroshot_top1_per_class": _rounded(per_class),
                        "zeroshot_top1_per_photo": _rounded(per_photo)}
    splits.append(split)
  means = {variant: dict(zip(("zeroshot_top1_per_class", "zeroshot_top1_per_photo"),
                             map(_rounded, np.mean(values, 0))))
           for variant, values in top1.items()}
  summary = json.dumps({"ridge": penalties, "folds": _FOLDS.value, "seed": _SEED.value,
                        "splits": splits, "mean_over_splits": means})
  print(summary, flush=True)
  if _OUT.value:
    with open(_OUT.value, "w") as f:
      f.write(summary + "\n")


if __name__ == "__main__":
  cli.run(main)
