"""ROC AUC by ranks, per trait and pooled."""

from __future__ import annotations

import numpy as np


def binary_auc(scores: np.ndarray, labels: np.ndarray) -> float:
  """ROC AUC by ranks (ties averaged); NaN when only one class is present. `labels` are
  booleans or 0/1 (as a mask, so 0/1 integers must not index positions)."""
  scores = np.asarray(scores)
  labels = np.asarray(labels).astype(bool)
  positives = labels.sum()
  negatives = len(labels) - positives
  if positives == 0 or negatives == 0:
    return float("nan")
  order = np.argsort(scores, kind="mergesort")
  ranks = np.empty(len(scores))
  sorted_scores = scores[order]
  boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
  starts = np.concatenate([[0], boundaries])
  ends = np.concatenate([boundaries, [len(scores)]])
  ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
  return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def mean_trait_auc(trait_logits: np.ndarray, targets: np.ndarray) -> float:
  """Mean over traits of the AUC against binary targets (>= 0.5), NaN targets ignored."""
  aucs = []
  for t in range(targets.shape[1]):
    known = np.isfinite(targets[:, t])
    aucs.append(binary_auc(trait_logits[known, t], targets[known, t] >= 0.5))
  aucs = np.asarray(aucs)
  return float(np.nanmean(aucs)) if np.isfinite(aucs).any() else float("nan")
