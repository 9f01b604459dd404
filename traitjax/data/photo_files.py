"""A user's photo files as examples under the batch contract (`schema.py`): the whole photo (a
user's photo has no box), decoded by `images.decode_image` at the model's size, with nothing
known about it (species -1, traits NaN, no keypoints)."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from traitjax.data import images
from traitjax.data import schema

# What a folder's photos are named like (a file named explicitly is read whatever its name).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def find(paths: Sequence[str]) -> list[str]:
  """The photo files of `paths`: each file as given, and each folder's files with an image
  extension, sorted by name. Raises FileNotFoundError naming a path that does not exist, and
  ValueError when there is no photo at all."""
  found = []
  for path in paths:
    if os.path.isdir(path):
      found.extend(sorted(os.path.join(path, name) for name in os.listdir(path)
                          if name.lower().endswith(IMAGE_EXTENSIONS)
                          and os.path.isfile(os.path.join(path, name))))
    elif os.path.exists(path):
      found.append(path)
    else:
      raise FileNotFoundError(f"no such photo or folder: {path}")
  if not found:
    raise ValueError(f"no photo files in {', '.join(paths)} (looked for "
                     f"{', '.join(IMAGE_EXTENSIONS)})")
  return found


def read(path: str, image_size: int, num_traits: int, num_parts: int,
         index: int = 0, pad_to_square: bool = False) -> dict[str, np.ndarray]:
  """The example of the photo file at `path`: uint8 [image_size, image_size, 3], the whole
  photo squashed to a square, or with `pad_to_square` kept in shape on a black square, as the
  model's source reads its photos; `index` is its position among the photos read. Raises
  images.ImageDecodeError naming the file when it cannot be read."""
  return {
      schema.IMAGE: images.decode_region(path, image_size, pad_to_square=pad_to_square)[0],
      schema.SPECIES: np.int32(-1),
      schema.TRAITS: np.full(num_traits, np.nan, np.float32),
      schema.TRAITS_VISIBLE: np.full(num_traits, np.nan, np.float32),
      schema.PARTS: np.zeros((num_parts, 3), np.float32),
      schema.VALID: np.bool_(True),
      schema.INDEX: np.int32(index),
      schema.DEGRADATION: np.int32(-1),
      schema.DEGRADATION_STRENGTH: np.float32(np.nan),
  }
