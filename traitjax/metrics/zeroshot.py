"""Zero-shot and generalized zero-shot species scores, with the seen-unseen curve."""

from __future__ import annotations

import numpy as np

from traitjax.metrics import classification


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
      "unseen_top1": classification.top_k_accuracy(logits[unseen][:, unseen_rows],
                                                   position[species[unseen]], 1),
      "unseen_top1_generalized": classification.top_k_accuracy(logits[unseen], species[unseen], 1),
      "num_unseen_species": int(len(np.unique(species[unseen]))),
  }
  if (~unseen).any():
    seen = classification.top_k_accuracy(logits[~unseen], species[~unseen], 1)
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
