"""Pooled ImageNet EfficientNet-Lite0 features of CUB photos (or of any source's images, e.g.
EuroSAT tiles), for the frozen-feature baselines beside this file (which Python runs with this
folder on its path)."""

import jax
import numpy as np
import tqdm

from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.models import backbones
from traitjax.models import weights


def backbone_forward(weights_path: str):
  """jit(images [B, H, W, 3] in [-1, 1], 224 px on CUB -> pooled features [B, 1280])."""
  model = backbones.EfficientNetLite0()
  variables = weights.efficientnet_lite0_variables(weights.load_safetensors(weights_path))
  return jax.jit(lambda images: model.apply(variables, images)["features"])


def pooled_features(source, forward, batch_size: int = 50) -> np.ndarray:
  """Pooled backbone features [N, 1280] of every photo of `source`."""
  features = []
  for start in tqdm.trange(0, len(source), batch_size, desc=repr(source)):
    rows = [source[i] for i in range(start, min(start + batch_size, len(source)))]
    batch = pipeline.finish_batch({schema.IMAGE: np.stack([r[schema.IMAGE] for r in rows])})
    features.append(np.asarray(forward(batch[schema.IMAGE])))
  return np.concatenate(features)
