"""Evaluation protocols over gathered per-example predictions (numpy, host side).

`predictions` holds, for every example of an eval pass (padding and unreadable files already
removed by the trainer): species_logits [N, S], trait_logits [N, T] and the batch fields
species [N], traits [N, T], traits_visible [N, T], degradation [N].
"""

from __future__ import annotations

import numpy as np

from traitjax.data import schema
from traitjax.models import species as species_model

# Training images per species that make a species head (> HEAD) or tail (< TAIL), as the
# many-/medium-/few-shot split of long-tailed benchmarks.
HEAD = 100
TAIL = 20


def frequency_bins(train_counts: np.ndarray) -> np.ndarray:
  """'head' / 'mid' / 'tail' per species from its number of training images."""
  counts = np.asarray(train_counts)
  return np.where(counts > HEAD, "head", np.where(counts < TAIL, "tail", "mid"))


def top_k_accuracy(logits: np.ndarray, labels: np.ndarray, k: int) -> float:
  if len(labels) == 0:
    return float("nan")
  k = min(k, logits.shape[-1])
  top = np.argpartition(-logits, k - 1, axis=-1)[:, :k]
  return float(np.mean(np.any(top == labels[:, None], axis=-1)))


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


def classification_report(predictions: dict[str, np.ndarray], train_counts: np.ndarray) -> dict:
  """species_top1/top5, trait AUCs (against each example's table row in `traits` and against
  `traits_visible`), accuracy by frequency bin and by degradation."""
  logits = predictions["species_logits"]
  species = predictions[schema.SPECIES]
  correct = np.argmax(logits, -1) == species
  report = {
      "species_top1": top_k_accuracy(logits, species, 1),
      "species_top5": top_k_accuracy(logits, species, 5),
      "trait_auc_table": mean_trait_auc(predictions["trait_logits"], predictions[schema.TRAITS]),
      "trait_auc_visible": mean_trait_auc(predictions["trait_logits"],
                                          predictions[schema.TRAITS_VISIBLE]),
  }
  bins = frequency_bins(train_counts)[species]
  report["by_frequency_bin"] = {
      name: float(correct[bins == name].mean()) for name in ("head", "mid", "tail")
      if np.any(bins == name)}
  degradation = predictions[schema.DEGRADATION]
  report["by_degradation"] = {
      name: float(correct[degradation == i].mean())
      for i, name in enumerate(schema.DEGRADATIONS) if np.any(degradation == i)}
  return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in report.items()}


def zeroshot_report(logits: np.ndarray, species: np.ndarray, seen_species: np.ndarray) -> dict:
  """Zero-shot scores of examples of unseen (never trained) species.

  unseen_top1: top-1 among the unseen species only (zero-shot); unseen_top1_generalized: among
  all species (generalized zero-shot); where the examples include seen species too, seen_top1
  (among all species) and harmonic_mean of it and unseen_top1_generalized.
  """
  seen_species = np.asarray(seen_species, bool)
  unseen_rows = np.flatnonzero(~seen_species)
  unseen = ~seen_species[species]
  if not unseen.any():
    raise ValueError("no example of an unseen species")
  position = np.full(len(seen_species), -1)
  position[unseen_rows] = np.arange(len(unseen_rows))
  report = {
      "unseen_top1": top_k_accuracy(logits[unseen][:, unseen_rows], position[species[unseen]], 1),
      "unseen_top1_generalized": top_k_accuracy(logits[unseen], species[unseen], 1),
      "num_unseen_species": int(len(np.unique(species[unseen]))),
  }
  if (~unseen).any():
    seen = top_k_accuracy(logits[~unseen], species[~unseen], 1)
    generalized = report["unseen_top1_generalized"]
    report["seen_top1"] = seen
    report["harmonic_mean"] = _harmonic_mean(seen, generalized)
    report.update(_seen_unseen_curve(logits, species, seen_species, unseen))
  return report


def _harmonic_mean(a: float, b: float) -> float:
  return 2 * a * b / (a + b) if a + b > 0 else 0.0


def _seen_unseen_curve(logits, species, seen_species, unseen, num_points: int = 201) -> dict:
  """Calibrated stacking (Chao et al. 2016): seen species' logits lowered by g, swept over
  every useful g. ausuc: the area under the (unseen top-1, seen top-1) curve, a score free of
  the seen/unseen calibration; best_harmonic_mean: the best harmonic mean on the curve (its g
  chosen on these same examples, so an upper bound)."""
  unseen_logits = np.where(seen_species, -np.inf, logits).max(-1)
  seen_logits = np.where(seen_species, logits, -np.inf).max(-1)
  own = logits[np.arange(len(species)), species]
  margins = seen_logits - unseen_logits
  shifts = np.concatenate([[margins.min() - 1], np.quantile(margins, np.linspace(0, 1, num_points)),
                           [margins.max() + 1]])
  seen_accuracy, unseen_accuracy = [], []
  for shift in shifts:
    predicted_unseen = margins < shift  # After lowering seen logits by `shift`.
    correct = np.where(seen_species[species], ~predicted_unseen & (own >= seen_logits),
                       predicted_unseen & (own >= unseen_logits))
    seen_accuracy.append(correct[~unseen].mean())
    unseen_accuracy.append(correct[unseen].mean())
  order = np.argsort(unseen_accuracy, kind="stable")
  x, y = np.asarray(unseen_accuracy)[order], np.asarray(seen_accuracy)[order]
  return {"ausuc": float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2)),
          "best_harmonic_mean": float(max(_harmonic_mean(a, b)
                                          for a, b in zip(seen_accuracy, unseen_accuracy)))}


def intervention_report(logits: np.ndarray, species: np.ndarray, ks) -> dict:
  """logits [N, K, S] after correcting k traits for each k of `ks` -> {"k": [...],
  "species_top1": [...]}, top-1 for each k."""
  return {"k": [int(k) for k in ks],
          "species_top1": [top_k_accuracy(logits[:, i], species, 1) for i in range(len(ks))]}


def few_shot_report(predictions: dict[str, np.ndarray], seen_species: np.ndarray,
                    table: np.ndarray, shots, table_logits, prior_strength: float) -> dict:
  """Few-shot species from table rows: for each n in `shots`, each unseen species' row is
  refined by the trait probabilities of its first n photos (`species.few_shot_row`), and the
  photos of unseen species that are nobody's shots are scored, against the zero-shot rows on the
  same photos. `table_logits(trait_probabilities, table)` -> species logits.

  Per n: unseen_top1 (among the unseen species), unseen_top1_generalized (among all), the same
  two with the unrefined rows (`zeroshot_*`), num_scored, and seen_odds_max_change: the largest
  change of any photo's softmax over the seen species alone (only unseen rows change, so the
  odds among the seen species stay put up to rounding).
  """
  labels = predictions[schema.SPECIES]
  probabilities = 1 / (1 + np.exp(-predictions["trait_logits"].astype(np.float64)))
  seen_species = np.asarray(seen_species, bool)
  unseen_rows = np.flatnonzero(~seen_species)
  report = {}
  for n in shots:
    refined = np.array(table, np.float32)
    is_shot = np.zeros(len(labels), bool)
    for row in unseen_rows:
      photos = np.flatnonzero(labels == row)
      if len(photos) > n:
        is_shot[photos[:n]] = True
        refined[row] = species_model.few_shot_row(table[row], probabilities[photos[:n]],
                                                  prior_strength)
    scored = ~is_shot & ~seen_species[labels]
    if not scored.any() or not is_shot.any():
      continue
    before = np.asarray(table_logits(probabilities[scored], table))
    after = np.asarray(table_logits(probabilities[scored], refined))
    result = {"num_scored": int(scored.sum())}
    for name, logits in (("zeroshot_", before), ("", after)):
      scores = zeroshot_report(logits, labels[scored], seen_species)
      result[f"{name}unseen_top1"] = scores["unseen_top1"]
      result[f"{name}unseen_top1_generalized"] = scores["unseen_top1_generalized"]
    result["seen_odds_max_change"] = float(np.abs(
        _softmax(after[:, seen_species]) - _softmax(before[:, seen_species])).max())
    report[f"{n}_shot"] = result
  return report


def _softmax(logits: np.ndarray) -> np.ndarray:
  shifted = np.exp(logits - logits.max(-1, keepdims=True))
  return shifted / shifted.sum(-1, keepdims=True)
