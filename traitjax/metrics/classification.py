"""Species classification: top-k accuracy, accuracy by frequency bin, by degradation and by
organ, trait AUCs, and the nearest-row ceiling of a trait table (what reading it with every
trait corrected reaches).

`predictions` holds, for every example of an evaluation pass: species_logits [N, S],
trait_logits [N, T] and the batch fields species [N], traits [N, T], traits_visible [N, T],
degradation [N].
"""

from __future__ import annotations

import numpy as np

from traitjax.data import schema
from traitjax.metrics import auc

# Training images per species that make a species head (> HEAD) or tail (< TAIL), as the
# many-/medium-/few-shot split of long-tailed benchmarks.
HEAD = 100
TAIL = 20


def nans_to_none(report):
  """`report` (nested dicts and lists) with every NaN or infinite number as None (JSON has
  neither)."""
  if isinstance(report, dict):
    return {k: nans_to_none(v) for k, v in report.items()}
  if isinstance(report, list):
    return [nans_to_none(v) for v in report]
  if isinstance(report, float) and not np.isfinite(report):
    return None
  return report


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


def classification_report(predictions: dict[str, np.ndarray], train_counts: np.ndarray) -> dict:
  """species_top1/top5, trait AUCs (against each example's table row in `traits` and against
  `traits_visible`), accuracy by frequency bin and by degradation."""
  logits = predictions["species_logits"]
  species = predictions[schema.SPECIES]
  correct = np.argmax(logits, -1) == species
  report = {
      "species_top1": top_k_accuracy(logits, species, 1),
      "species_top5": top_k_accuracy(logits, species, 5),
      "trait_auc_table": auc.mean_trait_auc(predictions["trait_logits"],
                                            predictions[schema.TRAITS]),
      "trait_auc_visible": auc.mean_trait_auc(predictions["trait_logits"],
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
  return nans_to_none(report)


def nearest_row_top1(truth: np.ndarray, table: np.ndarray, species: np.ndarray) -> float:
  """How often the table row nearest to each photo's truth [N, T] (summed absolute difference
  over the traits known in both; NaN = unknown) is its species' row, ties split evenly: what a
  reader of `table` [S, T] reaches with every trait corrected, the ceiling of intervention."""
  known = np.isfinite(truth)[:, None, :] & np.isfinite(table)[None]
  distance = np.where(known, np.abs(np.nan_to_num(truth)[:, None] - np.nan_to_num(table)[None]),
                      0).sum(-1)
  nearest = distance <= distance.min(1, keepdims=True) + 1e-6
  return float(np.mean(nearest[np.arange(len(species)), species] / nearest.sum(1)))


def by_organ(predictions: dict[str, np.ndarray], organs: np.ndarray, organ_names, trait_mask:
             np.ndarray, gated_logits: np.ndarray | None = None) -> dict:
  """Scores of the photos of each organ, for photos that each show one organ.

  organs int [N]: each photo's organ, an index into `organ_names`; trait_mask bool [organs, T]:
  the traits a photo of each organ can show. Per organ with photos (by name): num_examples,
  species_top1, num_traits (those it can show) and trait_auc_table over those traits alone (the
  trait logits against the species' rows, as `classification_report`'s); with `gated_logits`
  [N, S] (the species head reading only the traits of each photo's organ) also
  species_top1_organ_gated.
  """
  organs = np.asarray(organs)
  trait_mask = np.asarray(trait_mask, bool)
  species = predictions[schema.SPECIES]
  report = {}
  for number, name in enumerate(organ_names):
    photos = organs == number
    if not photos.any():
      continue
    columns = trait_mask[number]
    scores = {
        "num_examples": int(photos.sum()),
        "species_top1": top_k_accuracy(predictions["species_logits"][photos], species[photos], 1),
        "num_traits": int(columns.sum()),
        "trait_auc_table": (auc.mean_trait_auc(predictions["trait_logits"][photos][:, columns],
                                               predictions[schema.TRAITS][photos][:, columns])
                            if columns.any() else float("nan")),
    }
    if gated_logits is not None:
      scores["species_top1_organ_gated"] = top_k_accuracy(gated_logits[photos], species[photos],
                                                          1)
    report[name] = scores
  return nans_to_none(report)
