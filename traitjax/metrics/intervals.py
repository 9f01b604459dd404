"""95% intervals of what is measured once on n photos (where no seeds vary, the photos do): a
share's (Wilson) and a mean's (bootstrap)."""

from __future__ import annotations

import math

import numpy as np

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


def bootstrap_mean(values, num_resamples: int = 1000, seed: int = 0) -> tuple[float, float]:
  """The 95% percentile bootstrap interval of the mean of `values` (one number per photo, say),
  its resamples drawn by numpy's default_rng(`seed`); (nan, nan) without values."""
  values = np.asarray(values, np.float64)
  if not len(values):
    return float("nan"), float("nan")
  draws = np.random.default_rng(seed).integers(0, len(values), (num_resamples, len(values)))
  means = values[draws].mean(-1)
  return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))
