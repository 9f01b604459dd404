"""95% intervals of a share measured once on n photos (where no seeds vary, the photos do)."""

from __future__ import annotations

import math

# The standard normal's 0.975 quantile: a two-sided 95% interval.
Z_95 = 1.959963984540054


def wilson(share: float, n: int, z: float = Z_95) -> tuple[float, float]:
  """Wilson's score interval of a share (e.g. top-1) of `n` photos: unlike share +- z standard
  errors it stays within [0, 1] and is not empty at 0% or 100%."""
  if n < 1:
    raise ValueError(f"an interval needs at least one photo, got n = {n}")
  centre = (share + z * z / (2 * n)) / (1 + z * z / n)
  half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
  return max(0.0, centre - half), min(1.0, centre + half)
