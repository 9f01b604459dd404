r"""The frozen-feature baseline for CUB: a logistic-regression probe on ImageNet EfficientNet-Lite0.

  python benchmarks/cub_probe.py
  python benchmarks/cub_probe.py --cub_root=PATH/cub25 --l2=1e-4,1e-3,1e-2

Pools the pretrained backbone's features of every train and test photo of the official split at
224 px (the whole photo, and the photo cropped to its bird box as `configs/cub.py` does), fits a
multinomial logistic regression with an L2 penalty by L-BFGS on the train photos, and prints one
JSON line per crop: test top-1 for each penalty. The penalty is chosen on the test photos, so
these are upper bounds on what the probe reaches, and the bar a trained model has to clear.
"""

import json

from absl import flags
import jax
import jax.numpy as jnp
import numpy as np
import optax

from traitjax import cli
from traitjax.data import cub

import cub_features  # pylint: disable=g-bad-import-order
import cub_flags  # pylint: disable=g-bad-import-order

_L2 = flags.DEFINE_list("l2", ["1e-4", "1e-3", "1e-2"], "L2 penalties on the weights.")
cli.require_numbers("l2", lower=0)
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 50, "Photos per forward pass.", lower_bound=1)
_ITERATIONS = 300


def _fit_probe(features, labels, num_classes, l2):
  """Multinomial logistic regression (weights, bias) on standardised features by L-BFGS."""
  def objective(params):
    logits = features @ params["w"] + params["b"]
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    return loss + 0.5 * l2 * jnp.sum(params["w"] ** 2)

  params = {"w": jnp.zeros((features.shape[1], num_classes)), "b": jnp.zeros(num_classes)}
  solver = optax.lbfgs()
  value_and_grad = optax.value_and_grad_from_state(objective)

  @jax.jit
  def run(params):
    def step(carry, _):
      params, state = carry
      value, grad = value_and_grad(params, state=state)
      updates, state = solver.update(grad, state, params, value=value, grad=grad,
                                     value_fn=objective)
      return (optax.apply_updates(params, updates), state), None

    (params, _), _ = jax.lax.scan(step, (params, solver.init(params)), None, _ITERATIONS)
    return params

  return run(params)


def main(argv):
  del argv
  dataset = cub.CubDataset(cub_flags.CUB_ROOT.value)
  forward = cub_features.backbone_forward(cub_flags.WEIGHTS.value)
  for crop_to_bbox in (False, True):
    splits = {split: cub.CubSource(dataset, split, 224, crop_to_bbox=crop_to_bbox)
              for split in ("train", "test")}
    features = {split: cub_features.pooled_features(source, forward, _BATCH_SIZE.value)
                for split, source in splits.items()}
    mean, std = features["train"].mean(0), features["train"].std(0) + 1e-6
    train, test = ((features[s] - mean) / std for s in ("train", "test"))
    top1 = {}
    for l2 in map(float, _L2.value):
      params = _fit_probe(jnp.asarray(train), jnp.asarray(splits["train"].labels),
                          dataset.num_species, l2)
      predicted = np.argmax(test @ np.asarray(params["w"]) + np.asarray(params["b"]), -1)
      top1[str(l2)] = round(float(np.mean(predicted == splits["test"].labels)), 4)
    print(json.dumps({"crop_to_bbox": crop_to_bbox, "train_photos": len(train),
                      "test_photos": len(test), "test_top1_by_l2": top1}), flush=True)


if __name__ == "__main__":
  cli.run(main)
