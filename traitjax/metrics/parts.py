"""Part discovery: slot masks against keypoints (NMI, ARI, keypoint regression), slots named by
the known traits they predict."""

from __future__ import annotations

import numpy as np

from traitjax.metrics import auc
from traitjax.metrics import classification


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
  return classification.nans_to_none(report)


def slot_trait_aucs(slot_trait_logits: np.ndarray, truth: np.ndarray) -> np.ndarray:
  """float [K, T]: the AUC of every slot's own logit for every trait (`SlotTraitHead`) against
  the truth, over the photos whose truth is known (NaN where a trait has no known cell or only
  one class).

  Args:
    slot_trait_logits: [N, K, T].
    truth: [N, T] labels (>= 0.5 is present), NaN where unknown.
  """
  num_slots, num_traits = slot_trait_logits.shape[1:]
  aucs = np.full((num_slots, num_traits), np.nan)
  for t in range(num_traits):
    known = np.isfinite(truth[:, t])
    for k in range(num_slots):
      aucs[k, t] = auc.binary_auc(slot_trait_logits[known, k, t], truth[known, t] >= 0.5)
  return aucs


def slot_trait_names(slot_trait_logits: np.ndarray, truth: np.ndarray,
                     trait_names, auc_threshold: float, top: int,
                     chosen_by: np.ndarray | None = None) -> list[dict]:
  """Names each slot by the known traits it predicts best; slots that predict none are
  candidate new traits.

  Each trait names the slot with the highest AUC for it (`slot_trait_aucs`), if that AUC
  reaches `auc_threshold`: a slot that carries a trait predicts it better than the others,
  which predict it only through what they know of the species. With `chosen_by`, the AUCs of
  other photos (e.g. the val split) make those choices, and the AUCs listed are these photos'
  AUCs of the chosen slots; without it the same photos choose and score, and the AUCs listed
  are the best of K (optimistic).

  Args:
    slot_trait_logits: [N, K, T].
    truth: [N, T] labels (>= 0.5 is present), NaN where unknown.
    trait_names: T names.
    auc_threshold: the AUC a trait needs to name a slot.
    top: the most names listed per slot.
    chosen_by: [K, T] AUCs of other photos that choose each trait's slot, the traits over the
      threshold, their order and each slot's best trait; None: these photos' own.

  Returns:
    Per slot {slot, traits: [{trait, auc}, ...] best first, best_auc: the AUC of its best
    trait, candidate_new_trait: no trait names it}.
  """
  num_slots, num_traits = slot_trait_logits.shape[1:]
  if len(trait_names) != num_traits:
    raise ValueError(f"{len(trait_names)} trait names for {num_traits} traits")
  aucs = slot_trait_aucs(slot_trait_logits, truth)
  choice = aucs if chosen_by is None else np.asarray(chosen_by, np.float64)
  if choice.shape != aucs.shape:
    raise ValueError(f"the choosing AUCs have shape {choice.shape}, expected {aucs.shape}")
  scored = np.isfinite(choice).any(0)
  best_slot = np.where(scored, np.argmax(np.nan_to_num(choice, nan=-1.0), axis=0), -1)
  names = []
  for k in range(num_slots):
    named = [t for t in np.flatnonzero(best_slot == k) if choice[k, t] >= auc_threshold]
    named.sort(key=lambda t: -choice[k, t])
    best = (int(np.nanargmax(choice[k])) if np.isfinite(choice[k]).any() else None)
    names.append({
        "slot": k,
        "traits": [{"trait": trait_names[t], "auc": _float_or_none(aucs[k, t])}
                   for t in named[:top]],
        "best_auc": None if best is None else _float_or_none(aucs[k, best]),
        "candidate_new_trait": not named})
  return names


def _float_or_none(value) -> float | None:
  return float(value) if np.isfinite(value) else None
