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


def nearest_row_top1(truth: np.ndarray, table: np.ndarray, species: np.ndarray) -> float:
  """How often the table row nearest to each photo's truth [N, T] (summed absolute difference
  over the traits known in both; NaN = unknown) is its species' row, ties split evenly: what a
  reader of `table` [S, T] reaches with every trait corrected, the ceiling of intervention."""
  known = np.isfinite(truth)[:, None, :] & np.isfinite(table)[None]
  distance = np.where(known, np.abs(np.nan_to_num(truth)[:, None] - np.nan_to_num(table)[None]),
                      0).sum(-1)
  nearest = distance <= distance.min(1, keepdims=True) + 1e-6
  return float(np.mean(nearest[np.arange(len(species)), species] / nearest.sum(1)))


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


# ---- Part discovery: slot masks against keypoints, slots against known traits ---------------


def _contingency(labels: np.ndarray, clusters: np.ndarray) -> np.ndarray:
  """[distinct labels, distinct clusters] counts of the pairs (labels[i], clusters[i])."""
  labels, clusters = np.asarray(labels), np.asarray(clusters)
  if labels.shape != clusters.shape or labels.ndim != 1:
    raise ValueError(f"labels and clusters must be 1-D of one length, got {labels.shape} and "
                     f"{clusters.shape}")
  _, label_index = np.unique(labels, return_inverse=True)
  _, cluster_index = np.unique(clusters, return_inverse=True)
  counts = np.zeros((label_index.max(initial=-1) + 1, cluster_index.max(initial=-1) + 1))
  np.add.at(counts, (label_index, cluster_index), 1)
  return counts


def normalized_mutual_information(labels: np.ndarray, clusters: np.ndarray) -> float:
  """I(labels; clusters) / mean(H(labels), H(clusters)) (the arithmetic normalisation, as
  PDiscoNet reports); 1 when both put everything in one group; NaN for no items."""
  counts = _contingency(labels, clusters)
  if counts.sum() == 0:
    return float("nan")
  joint = counts / counts.sum()
  label_p, cluster_p = joint.sum(1), joint.sum(0)
  entropy = lambda p: float(-np.sum(p[p > 0] * np.log(p[p > 0])))
  nonzero = joint > 0
  mutual = float(np.sum(joint[nonzero] * np.log(
      joint[nonzero] / np.outer(label_p, cluster_p)[nonzero])))
  normaliser = (entropy(label_p) + entropy(cluster_p)) / 2
  return 1.0 if normaliser == 0 else mutual / normaliser


def adjusted_rand_index(labels: np.ndarray, clusters: np.ndarray) -> float:
  """Rand index corrected for chance (Hubert & Arabie 1985): 1 for identical partitions (up to
  renaming), about 0 for independent ones; 1 where the partitions leave nothing to compare
  (one group each, or every item alone in both); NaN for no items."""
  counts = _contingency(labels, clusters)
  total = counts.sum()
  if total == 0:
    return float("nan")
  pairs = lambda n: n * (n - 1) / 2
  together = pairs(counts).sum()
  label_pairs, cluster_pairs = pairs(counts.sum(1)).sum(), pairs(counts.sum(0)).sum()
  expected = label_pairs * cluster_pairs / pairs(total) if total > 1 else 0.0
  best = (label_pairs + cluster_pairs) / 2
  return 1.0 if best == expected else float((together - expected) / (best - expected))


def masks_at(masks: np.ndarray, points: np.ndarray) -> np.ndarray:
  """Every slot's mask at a point of its photo, interpolated bilinearly.

  Args:
    masks: [N, K, h, w]; location (i, j) sits at ((j + 0.5) / w, (i + 0.5) / h).
    points: [N, M, 2] (x, y) in [0, 1].

  Returns:
    [N, M, K].
  """
  height, width = masks.shape[2:]
  column = np.clip(points[..., 0] * width - 0.5, 0, width - 1)
  row = np.clip(points[..., 1] * height - 0.5, 0, height - 1)
  left, top = np.floor(column).astype(int), np.floor(row).astype(int)
  right, bottom = np.minimum(left + 1, width - 1), np.minimum(top + 1, height - 1)
  right_weight, bottom_weight = (column - left)[..., None], (row - top)[..., None]
  by_location = np.moveaxis(masks, 1, -1)  # [N, h, w, K]
  photo = np.arange(len(masks))[:, None]

  def at(rows, columns):
    return by_location[photo, rows, columns]

  return ((1 - bottom_weight) * ((1 - right_weight) * at(top, left) + right_weight * at(top, right))
          + bottom_weight * ((1 - right_weight) * at(bottom, left)
                             + right_weight * at(bottom, right)))


def keypoint_regression_error(inputs: np.ndarray, keypoints: np.ndarray,
                              ridge: float = 1e-3) -> float:
  """Two-fold linear regression of keypoint coordinates from per-photo inputs.

  For each keypoint, a ridge regression (bias unpenalised) from `inputs` to its (x, y) is fit
  on the visible keypoints of one half of the photos (even positions) and scored on the other
  half (odd), and the other way round. The error is the mean Euclidean distance between
  predicted and true positions over every scored visible keypoint, in fractions of the photo's
  side (keypoints are in [0, 1] of a square photo).

  Args:
    inputs: [N, F], e.g. slot centroids and presences.
    keypoints: [N, P, 3] (x, y, visible).
    ridge: the L2 penalty.

  Returns:
    The error; NaN when no keypoint can be scored (each needs visible photos in both halves).
  """
  inputs = np.asarray(inputs, np.float64)
  design = np.concatenate([inputs, np.ones((len(inputs), 1))], axis=1)
  penalty = ridge * np.eye(design.shape[1])
  penalty[-1, -1] = 0.0
  halves = np.arange(len(inputs)) % 2
  distances = []
  for part in range(keypoints.shape[1]):
    visible = keypoints[:, part, 2] > 0
    for fit_half in (0, 1):
      fit, scored = visible & (halves == fit_half), visible & (halves != fit_half)
      if not fit.any() or not scored.any():
        continue
      coefficients = np.linalg.solve(design[fit].T @ design[fit] + penalty,
                                     design[fit].T @ keypoints[fit, part, :2])
      predicted = design[scored] @ coefficients
      distances.append(np.linalg.norm(predicted - keypoints[scored, part, :2], axis=-1))
  return float(np.mean(np.concatenate(distances))) if distances else float("nan")


def part_discovery_report(masks: np.ndarray, centroids: np.ndarray, presence: np.ndarray,
                          keypoints: np.ndarray, num_slots: int) -> dict:
  """Slots as parts against ground-truth keypoints, as PDiscoNet scores them.

  Each visible keypoint goes to the slot whose mask is largest at its location (background
  slot included: a keypoint in the background is a miss); nmi and ari compare that assignment
  with the keypoints' identities (which part each is). keypoint_error is
  `keypoint_regression_error` from the foreground slots' centroids and presences.

  Args:
    masks: [N, K', h, w], softmax over slots at every location.
    centroids: [N, K', 2]; presence: [N, K'].
    keypoints: [N, P, 3] (x, y, visible).
    num_slots: K, the foreground slots (the first K; a background slot, if any, is last).

  Returns:
    {nmi, ari, keypoint_error, num_slots, num_keypoints, background_share} (background_share:
    the share of keypoints that went to the background slot, 0 without one).
  """
  photo, part = np.nonzero(keypoints[:, :, 2] > 0)
  slot = np.argmax(masks_at(masks, keypoints[..., :2])[photo, part], axis=-1)
  regression_inputs = np.concatenate([centroids[:, :num_slots].reshape(len(centroids), -1),
                                      presence[:, :num_slots]], axis=1)
  report = {
      "nmi": normalized_mutual_information(part, slot),
      "ari": adjusted_rand_index(part, slot),
      "keypoint_error": keypoint_regression_error(regression_inputs, keypoints),
      "num_slots": int(num_slots),
      "num_keypoints": int(len(part)),
      "background_share": float(np.mean(slot >= num_slots)) if len(part) else 0.0,
  }
  return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in report.items()}


def slot_trait_names(slot_trait_logits: np.ndarray, truth: np.ndarray,
                     trait_names, auc_threshold: float, top: int) -> list[dict]:
  """Names each slot by the known traits it predicts best; slots that predict none are
  candidate new traits.

  The AUC of every slot's own logit for every trait (`SlotTraitHead`) is taken against the
  truth. Each trait names the slot with the highest AUC for it, if that AUC reaches
  `auc_threshold`: a slot that carries a trait predicts it better than the others, which
  predict it only through what they know of the species.

  Args:
    slot_trait_logits: [N, K, T].
    truth: [N, T] labels (>= 0.5 is present), NaN where unknown.
    trait_names: T names.
    auc_threshold: the AUC a trait needs to name a slot.
    top: the most names listed per slot.

  Returns:
    Per slot {slot, traits: [{trait, auc}, ...] best first, best_auc: its highest AUC over all
    traits, candidate_new_trait: no trait names it}.
  """
  num_slots, num_traits = slot_trait_logits.shape[1:]
  if len(trait_names) != num_traits:
    raise ValueError(f"{len(trait_names)} trait names for {num_traits} traits")
  aucs = np.full((num_slots, num_traits), np.nan)
  for t in range(num_traits):
    known = np.isfinite(truth[:, t])
    for k in range(num_slots):
      aucs[k, t] = binary_auc(slot_trait_logits[known, k, t], truth[known, t] >= 0.5)
  scored = np.isfinite(aucs).any(0)
  best_slot = np.where(scored, np.argmax(np.nan_to_num(aucs, nan=-1.0), axis=0), -1)
  names = []
  for k in range(num_slots):
    named = [t for t in np.flatnonzero(best_slot == k) if aucs[k, t] >= auc_threshold]
    named.sort(key=lambda t: -aucs[k, t])
    names.append({
        "slot": k,
        "traits": [{"trait": trait_names[t], "auc": float(aucs[k, t])} for t in named[:top]],
        "best_auc": float(np.nanmax(aucs[k])) if scored.any() else None,
        "candidate_new_trait": not named})
  return names
