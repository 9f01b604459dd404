"""Explanations as measured claims: where an evidence map points (the pointing game, Zhang et
al. 2016) and how fast a prediction falls when the traits an explanation cites are removed
(deletion curves, Petsiuk et al. 2018).

Coordinates are (x, y) in [0, 1] of the photo, x to the right and y down (keypoints in
`data/schema.py`); cell (i, j) of an h x w map sits at ((j + 0.5) / w, (i + 0.5) / h).
"""

from __future__ import annotations

import numpy as np


def peak_locations(maps: np.ndarray) -> np.ndarray:
  """float [..., h, w] -> [..., 2]: the (x, y) centre of each map's highest cell (the first in
  row-major order on ties)."""
  maps = np.asarray(maps)
  height, width = maps.shape[-2:]
  flat = np.argmax(maps.reshape(*maps.shape[:-2], height * width), axis=-1)
  rows, columns = np.divmod(flat, width)
  return np.stack([(columns + 0.5) / width, (rows + 0.5) / height], axis=-1)


def cell_half_diagonal(height: int, width: int) -> float:
  """The farthest a point of a cell of an h x w map lies from the cell's centre, in fractions
  of the side: a map's peak cannot point more precisely than that."""
  return float(np.hypot(0.5 / width, 0.5 / height))


def pointing_hits(points: np.ndarray, keypoints: np.ndarray, allowed: np.ndarray,
                  radius: float) -> np.ndarray:
  """Whether each point lies within `radius` of a visible keypoint it may point at.

  Args:
    points: float [M, 2], (x, y).
    keypoints: float [M, P, 3], (x, y, visible) of the photo of each point.
    allowed: bool [M, P], the keypoints each point is scored against (its trait's part).
    radius: the distance that counts as a hit, in fractions of the side.

  Returns:
    bool [M].
  """
  points, keypoints = np.asarray(points, np.float64), np.asarray(keypoints, np.float64)
  if radius < 0:
    raise ValueError(f"radius must be >= 0, got {radius}")
  distance = np.linalg.norm(keypoints[..., :2] - points[:, None, :], axis=-1)  # [M, P]
  candidates = np.asarray(allowed, bool) & (keypoints[..., 2] > 0)
  return np.any(candidates & (distance <= radius), axis=-1)


def hit_rate(hits: np.ndarray) -> float:
  """The share of hits; NaN for none scored."""
  hits = np.asarray(hits, bool)
  return float(hits.mean()) if hits.size else float("nan")


def deletion_area(curves: np.ndarray) -> float:
  """The normalised area under deletion curves.

  Args:
    curves: float [N, K + 1], K >= 1: each photo's probability of its predicted species after
      removing 0, 1, ..., K traits.

  Returns:
    The trapezoidal area under each curve divided by its value at k = 0, over k / K in [0, 1],
    averaged over photos: 1 when removing traits changes nothing, lower the faster the
    prediction falls (lower = the removed traits mattered more). NaN for no photos.
  """
  curves = np.asarray(curves, np.float64)
  if curves.ndim != 2 or curves.shape[1] < 2:
    raise ValueError(f"curves must be [N, K + 1] with K >= 1, got shape {curves.shape}")
  if not len(curves):
    return float("nan")
  relative = curves / np.maximum(curves[:, :1], 1e-12)
  areas = (relative[:, 1:] + relative[:, :-1]).sum(-1) / (2 * (curves.shape[1] - 1))
  return float(areas.mean())
