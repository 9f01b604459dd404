r"""The frozen-feature baseline for CUB: a logistic-regression probe on ImageNet EfficientNet-Lite0.

  python benchmarks/cub_probe.py
  python benchmarks/cub_probe.py --cub_root=PATH/cub25 --l2=1e-4,1e-3,1e-2

Pools the pretrained backbone's features of every train and test photo of the official split at
224 px (the whole photo, and the photo cropped to its bird box as `configs/cub.py` does), fits a
multinomial logistic regression with an L2 penalty by L-BFGS on the train photos, and prints one
JSON line per crop: test top-1 for each penalty, the bar a trained model has to clear. No
penalty is chosen: picking the best on these test photos would make an upper bound, so the
docs report every one (results/cub_probe.json).
"""

import json

from absl import flags

from traitjax import cli
from traitjax.data import cub

import cub_features  # pylint: disable=g-bad-import-order
import cub_flags  # pylint: disable=g-bad-import-order
import probe  # pylint: disable=g-bad-import-order

_L2 = flags.DEFINE_list("l2", ["1e-4", "1e-3", "1e-2"], "L2 penalties on the weights.")
cli.require_numbers("l2", lower=0)
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 50, "Photos per forward pass.", lower_bound=1)


def main(argv):
  del argv
  dataset = cub.CubDataset(cub_flags.CUB_ROOT.value)
  forward = cub_features.backbone_forward(cub_flags.WEIGHTS.value)
  for crop_to_bbox in (False, True):
    splits = {split: cub.CubSource(dataset, split, 224, crop_to_bbox=crop_to_bbox)
              for split in ("train", "test")}
    features = {split: cub_features.pooled_features(source, forward, _BATCH_SIZE.value)
                for split, source in splits.items()}
    top1 = probe.top1_by_l2(features["train"], splits["train"].labels, features["test"],
                            splits["test"].labels, dataset.num_species, _L2.value)
    print(json.dumps({"crop_to_bbox": crop_to_bbox, "train_photos": len(features["train"]),
                      "test_photos": len(features["test"]), "test_top1_by_l2": top1}),
          flush=True)


if __name__ == "__main__":
  cli.run(main)
