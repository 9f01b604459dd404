"""A user's photo files as examples under the batch contract (`schema.py`): the whole photo (a
user's photo has no box), decoded by `images.decode_image` at the model's size, with nothing
known about it (species -1, traits NaN, no keypoints); `PhotoFiles` reads a list of them as a
source."""

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
      schema.PARTS: np.zeros((num_parts, 3), np.float32),
      schema.VALID: np.bool_(True),
      **_unknown(num_traits, index),
  }


def _unknown(num_traits: int, index: int) -> dict[str, np.ndarray]:
  """What an example of a user's photo holds beside its pixels: nothing known."""
  return {
      schema.SPECIES: np.int32(-1),
      schema.TRAITS: np.full(num_traits, np.nan, np.float32),
      schema.TRAITS_VISIBLE: np.full(num_traits, np.nan, np.float32),
      schema.INDEX: np.int32(index),
      schema.DEGRADATION: np.int32(-1),
      schema.DEGRADATION_STRENGTH: np.float32(np.nan),
  }


class PhotoFiles:
  """Photo files read as `read` reads them, for a model sized by `source` (a dataset's: its
  image size, traits, keypoints and whether its photos are padded to a square)."""

  def __init__(self, paths: Sequence[str], source):
    self.paths = list(paths)
    self.image_size = source.image_size
    self.num_traits = source.trait_table.num_traits
    self.num_parts = len(source.part_names)
    self.pad_to_square = getattr(source, "pad_to_square", False)

  def __len__(self) -> int:
    return len(self.paths)

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    """Raises images.ImageDecodeError naming the file when it cannot be read."""
    return read(self.paths[index], self.image_size, self.num_traits, self.num_parts, index,
                self.pad_to_square)

  def annotations(self, index: int) -> dict[str, np.ndarray]:
    return _unknown(self.num_traits, index)

  def photo_key(self, index: int) -> str:
    return images.photo_key(self.paths[index], self.image_size,
                            pad_to_square=self.pad_to_square)
