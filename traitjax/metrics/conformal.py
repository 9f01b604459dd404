"""Split conformal species sets with adaptive prediction sets (APS; Romano et al. 2020),
randomised: a set holds the most probable classes in turn until their mass reaches a threshold,
the last one kept with a probability set by how far it crosses. Randomised APS covers the
true class with probability in [1 - alpha, 1 - alpha + 1/(n + 1)] over calibration sets of n
exchangeable examples (the unrandomised sets over-cover); a set may be empty. The uniform draws
come from the `rng` given, so a seeded generator makes reports reproducible.
"""

from __future__ import annotations

import numpy as np


def _ranked(probabilities):
  """Each row's classes by decreasing probability (ties by class order), their probabilities
  and the mass of the classes ranked before each."""
  probabilities = np.asarray(probabilities, np.float64)
  order = np.argsort(-probabilities, axis=-1, kind="stable")
  ranked = np.take_along_axis(probabilities, order, -1)
  return order, ranked, np.cumsum(ranked, -1) - ranked


def aps_scores(probabilities: np.ndarray, labels: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
  """The randomised APS score of each true class: the mass of the classes ranked above it
  plus a uniform fraction of its own."""
  order, ranked, before = _ranked(probabilities)
  rank = np.argmax(order == np.asarray(labels)[:, None], -1)
  rows = np.arange(len(rank))
  return before[rows, rank] + rng.uniform(size=len(rank)) * ranked[rows, rank]


def aps_threshold(scores: np.ndarray, alpha: float) -> float:
  """The ceil((n + 1)(1 - alpha))-th smallest calibration score (inf when that exceeds n:
  too few examples for 1 - alpha, every set then holds every class)."""
  if not 0 < alpha < 1:
    raise ValueError(f"alpha must be in (0, 1), got {alpha}")
  scores = np.sort(np.asarray(scores, np.float64))
  k = int(np.ceil((len(scores) + 1) * (1 - alpha)))
  return float("inf") if k > len(scores) else float(scores[k - 1])


def aps_sets(probabilities: np.ndarray, threshold: float,
             rng: np.random.Generator | None) -> np.ndarray:
  """Bool [N, S]: the classes in each example's set, those whose randomised score (drawn with
  one uniform per example) is at most `threshold`. Without `rng`, every class a randomised
  set could hold (the draw at 0): deterministic per example, covering at least as often."""
  order, ranked, before = _ranked(probabilities)
  uniform = np.zeros((len(ranked), 1)) if rng is None else rng.uniform(size=(len(ranked), 1))
  kept = before + uniform * ranked <= threshold
  sets = np.zeros(kept.shape, bool)
  np.put_along_axis(sets, order, kept, -1)
  return sets


def set_report(sets: np.ndarray, labels: np.ndarray) -> dict:
  """coverage (how often the true class is in the set) and mean_set_size; NaN when empty."""
  if len(labels) == 0:
    return {"coverage": float("nan"), "mean_set_size": float("nan")}
  return {"coverage": float(np.mean(sets[np.arange(len(labels)), labels])),
          "mean_set_size": float(np.mean(sets.sum(-1)))}
