"""Zero-shot and generalised zero-shot species scores as the field reports them (Xian et al.,
"Zero-Shot Learning - The Good, the Bad and the Ugly"): accuracies are per-class means (each
species weighs the same, however many photos it has), the generalised ones among all rows, with
their harmonic mean H and the area under the seen-unseen curve of calibrated stacking (Chao et
al. 2016). Per-photo accuracies stay beside them under `per_photo`."""

from __future__ import annotations

import numpy as np



def per_class_accuracy(correct: np.ndarray, species: np.ndarray) -> float:
  """The mean over the species present in `species` of the share of their photos that are
  `correct` (bool [N]); nan without photos."""
  if len(species) == 0:
    return float("nan")
  present, index = np.unique(species, return_inverse=True)
  return float(np.mean(np.bincount(index, weights=correct) / np.bincount(index)))


def harmonic_mean(a: float, b: float) -> float:
  """2ab / (a + b), 0 when both are 0: the generalised zero-shot H of seen and unseen accuracy."""
  return 2 * a * b / (a + b) if a + b > 0 else 0.0


def zeroshot_report(logits: np.ndarray, species: np.ndarray, seen_species: np.ndarray) -> dict:
  """Zero-shot scores of photos of unseen (never trained) species, and generalised ones where
  the photos include seen species too.

  unseen_top1: per-class mean top-1 of the unseen photos among the unseen rows only
  (zero-shot). Where seen photos are present too, among all rows (generalised zero-shot):
  seen_accuracy and unseen_accuracy (per-class means), harmonic_mean H of the two, ausuc (the
  area under calibrated stacking's seen-unseen curve, per-class means) and best_harmonic_mean
  (the best H on that curve, its constant chosen on these same photos: an upper bound).
  per_photo: the same top-1s averaged over photos. num_*: the species and photos they rest on.
  """
  seen_species = np.asarray(seen_species, bool)
  unseen_rows = np.flatnonzero(~seen_species)
  unseen = ~seen_species[species]
  if not unseen.any():
    raise ValueError("no example of an unseen species")
  position = np.full(len(seen_species), -1)
  position[unseen_rows] = np.arange(len(unseen_rows))
  among_unseen = np.argmax(logits[unseen][:, unseen_rows], -1) == position[species[unseen]]
  among_all = np.argmax(logits, -1) == species
  report = {
      "unseen_top1": per_class_accuracy(among_unseen, species[unseen]),
      "num_unseen_species": int(len(np.unique(species[unseen]))),
      "num_unseen_photos": int(unseen.sum()),
      "per_photo": {"unseen_top1": float(among_unseen.mean()),
                    "unseen_top1_generalized": float(among_all[unseen].mean())},
  }
  if (~unseen).any():
    seen_accuracy = per_class_accuracy(among_all[~unseen], species[~unseen])
    unseen_accuracy = per_class_accuracy(among_all[unseen], species[unseen])
    report.update(seen_accuracy=seen_accuracy, unseen_accuracy=unseen_accuracy,
                  harmonic_mean=harmonic_mean(seen_accuracy, unseen_accuracy),
                  num_seen_species=int(len(np.unique(species[~unseen]))),
                  num_seen_photos=int((~unseen).sum()))
    per_photo_seen = float(among_all[~unseen].mean())
    report["per_photo"].update(
        seen_top1=per_photo_seen,
        harmonic_mean=harmonic_mean(per_photo_seen, report["per_photo"]["unseen_top1_generalized"]))
    report.update(_seen_unseen_curve(logits, species, seen_species, unseen))
  return report


def _seen_unseen_curve(logits, species, seen_species, unseen, num_points: int = 201) -> dict:
  """Calibrated stacking (Chao et al. 2016): seen species' logits lowered by g, swept over
  every useful g, each point's seen and unseen accuracies per-class means. ausuc: the area
  under the (unseen, seen) curve, a score free of the seen/unseen calibration;
  best_harmonic_mean: the best harmonic mean on the curve (its g chosen on these same
  examples, so an upper bound)."""
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
    seen_accuracy.append(per_class_accuracy(correct[~unseen], species[~unseen]))
    unseen_accuracy.append(per_class_accuracy(correct[unseen], species[unseen]))
  order = np.argsort(unseen_accuracy, kind="stable")
  x, y = np.asarray(unseen_accuracy)[order], np.asarray(seen_accuracy)[order]
  return {"ausuc": float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2)),
          "best_harmonic_mean": float(max(harmonic_mean(a, b)
                                          for a, b in zip(seen_accuracy, unseen_accuracy)))}
