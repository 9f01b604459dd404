r"""EfficientNet-Lite0 (ImageNet weights) on every CUB photo: the fraction predicted as a bird.

  python benchmarks/bird_classes.py
  python benchmarks/bird_classes.py --cub_root=PATH/cub25 --weights=PATH/weights.safetensors

Decodes each photo listed in ``CUB_200_2011/images.txt`` at 224x224, scales it to [-1, 1] and
classifies it; prints one JSON line: the fraction of top-1 predictions in ImageNet's bird classes
(a correct port gives about 0.97), the photos/s of decoding alone (the baseline), of the jitted
forward pass alone, and of both together.
"""

import json
import pathlib
import time

from absl import flags
import jax
import numpy as np

from traitjax import cli
from traitjax.data import images
from traitjax.data import schema
from traitjax.models import backbones
from traitjax.models import weights

import cub_flags  # pylint: disable=g-bad-import-order

_BATCH_SIZE = flags.DEFINE_integer("batch_size", 64, "Photos per forward pass.", lower_bound=1)

IMAGENET_BIRD_CLASSES = np.r_[7:25, 80:101, 127:147]
IMAGE_SIZE = 224


def main(argv):
  del argv
  base = pathlib.Path(cub_flags.CUB_ROOT.value) / "CUB_200_2011"
  listed = (base / "images.txt").read_text().split()[1::2]
  model = backbones.EfficientNetLite0(num_classes=1000)
  variables = weights.efficientnet_lite0_variables(weights.load_safetensors(cub_flags.WEIGHTS.value))
  forward = jax.jit(lambda variables, batch: model.apply(variables, batch)["logits"].argmax(-1))

  start = time.perf_counter()
  photos = np.stack([images.decode_image(base / "images" / name, IMAGE_SIZE) for name in listed])
  decode_seconds = time.perf_counter() - start

  batch_size = _BATCH_SIZE.value
  padded = -len(photos) % batch_size  # one batch shape: one compilation
  photos = np.concatenate([photos, np.zeros((padded,) + photos.shape[1:], photos.dtype)])
  forward(variables, schema.image_to_float(photos[:batch_size])).block_until_ready()  # compile
  start = time.perf_counter()
  predictions = np.concatenate([
      np.asarray(forward(variables, schema.image_to_float(photos[i:i + batch_size])))
      for i in range(0, len(photos), batch_size)])[:len(listed)]
  forward_seconds = time.perf_counter() - start

  print(json.dumps({
      "photos": len(listed),
      "bird_fraction": round(float(np.isin(predictions, IMAGENET_BIRD_CLASSES).mean()), 4),
      "decode_photos_per_s": round(len(listed) / decode_seconds, 1),
      "forward_photos_per_s": round(len(listed) / forward_seconds, 1),
      "photos_per_s": round(len(listed) / (decode_seconds + forward_seconds), 1),
      "device": jax.devices()[0].device_kind,
  }))


if __name__ == "__main__":
  cli.run(main)
