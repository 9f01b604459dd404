"""Photos with one square hidden: the occluder of a faithfulness test (is a trait read where its
part is?). The square takes the photo's mean colour, so it adds no colour of its own."""

from __future__ import annotations

import numpy as np

from traitjax.data import pipeline
from traitjax.data import schema


def occlude(image: np.ndarray, centre: tuple[float, float], side: float) -> np.ndarray:
  """uint8 [H, W, 3] with the square of `side` (a fraction of the shorter side) centred at
  `centre` (x, y in [0, 1] of the width and height) filled with the photo's mean colour."""
  if not 0 < side <= 1:
    raise ValueError(f"occluder side must lie in (0, 1], got {side}")
  height, width = image.shape[:2]
  half = side * min(height, width) / 2
  x, y = centre[0] * width, centre[1] * height
  x0, x1 = int(round(max(0.0, x - half))), int(round(min(width, x + half)))
  y0, y1 = int(round(max(0.0, y - half))), int(round(min(height, y + half)))
  hidden = image.copy()
  hidden[y0:y1, x0:x1] = np.round(image.reshape(-1, image.shape[-1]).mean(0)).astype(image.dtype)
  return hidden


class OccludedSource:
  """Item k: photo `indices[k]` of `source` with the square of `side` at `centres[k]` hidden
  (`index` counts the items from 0)."""

  def __init__(self, source, indices, centres, side: float):
    self.source = source
    self.indices = np.asarray(indices, np.int64)
    self.centres = np.asarray(centres, np.float64).reshape(len(self.indices), 2)
    self.side = float(side)
    pipeline.take_dataset_attributes(self, source)
    self.labels = np.asarray(source.labels)[self.indices]
    self.split = source.split

  def __len__(self) -> int:
    return len(self.indices)

  def __repr__(self) -> str:
    return f"OccludedSource({self.source!r}, n={len(self)}, side={self.side:g})"

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    example = dict(self.source[int(self.indices[index])])
    example[schema.IMAGE] = occlude(example[schema.IMAGE], tuple(self.centres[index]),
                                    self.side)
    return {**example, schema.INDEX: np.int32(index)}

  def annotations(self, index: int) -> dict[str, np.ndarray]:
    return {**self.source.annotations(int(self.indices[index])), schema.INDEX: np.int32(index)}

  def photo_key(self, index: int) -> str:
    """What decides the pixels of item `index`: its photo's, and the square hidden."""
    x, y = self.centres[index]
    return (f"{self.source.photo_key(int(self.indices[index]))}|occluded={x:.4f},{y:.4f},"
            f"{self.side:g}")
