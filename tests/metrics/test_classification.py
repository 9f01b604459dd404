"""Top-k, frequency bins, the classification report and the nearest-row ceiling."""

import json

import numpy as np
import pytest

from traitjax.metrics import classification
from traitjax.data import schema


def test_top_k_accuracy():
  """Top-k counts a row as right when its label is among its k highest logits; k beyond the
  number of classes is all of them; no rows give NaN."""
  logits = np.array([[0.1, 0.5, 0.2, 0.9],   # ranks: 3, 1, 2, 0
                     [2.0, 1.0, 0.0, -1.0],  # ranks: 0, 1, 2, 3
                     [0.0, 0.0, 5.0, 1.0]])  # ranks: 2, 3, 0, 1
  labels = np.array([1, 3, 2])
  assert classification.top_k_accuracy(logits, labels, 1) == pytest.approx(1 / 3)
  assert classification.top_k_accuracy(logits, labels, 2) == pytest.approx(2 / 3)
  assert classification.top_k_accuracy(logits, labels, 3) == pytest.approx(2 / 3)
  assert classification.top_k_accuracy(logits, labels, 4) == 1.0
  assert classification.top_k_accuracy(logits, labels, 10) == 1.0
  assert np.isnan(classification.top_k_accuracy(logits[:0], labels[:0], 5))


def test_frequency_bins_thresholds():
  """More than HEAD (100) training images is head, fewer than TAIL (20) is tail, the rest mid
  (both thresholds inclusive of mid)."""
  assert (classification.HEAD, classification.TAIL) == (100, 20)
  counts = np.array([0, 19, 20, 21, 99, 100, 101, 5000])
  assert classification.frequency_bins(counts).tolist() == [
      "tail", "tail", "mid", "mid", "mid", "mid", "head", "head"]


def _ranked_logits(rankings):
  """Logits whose row i ranks the classes in the order rankings[i] (best first)."""
  logits = np.zeros((len(rankings), len(rankings[0])), np.float32)
  for row, ranking in enumerate(rankings):
    logits[row, ranking] = np.arange(len(ranking), 0, -1)
  return logits


def _hand_made_predictions():
  nan = np.nan
  return {
      "species_logits": _ranked_logits([
          [0, 1, 2, 3, 4, 5],   # species 0: top-1
          [2, 3, 4, 5, 1, 0],   # species 1: fifth
          [2, 0, 1, 3, 4, 5],   # species 2: top-1
          [1, 0, 2, 4, 5, 3],   # species 3: sixth
          [4, 0, 1, 2, 3, 5],   # species 4: top-1
          [0, 1, 2, 3, 4, 5]]),  # species 5: sixth
      "trait_logits": np.array([[0.9, 5.0], [0.8, 0.5], [0.7, 0.5], [0.1, 5.0], [0.2, 0.2],
                                [0.3, 0.1]], np.float32),
      schema.SPECIES: np.arange(6, dtype=np.int32),
      # Trait 0: positives score .9 .8 .2 against negatives .7 .1 .3 -> 7/9. Trait 1 (rows 0 and
      # 3 unknown): positives .5 .2 against .5 .1 -> (0.5 + 1 + 0 + 1) / 4.
      schema.TRAITS: np.array([[1, nan], [1, 1], [0, 0], [0, nan], [1, 1], [0, 0]], np.float32),
      # Trait 0: positives .9 .7 against .8 .1 .2 .3 -> 7/8. Trait 1: one class only (NaN AUC).
      schema.TRAITS_VISIBLE: np.array([[1, 1], [0, 1], [1, nan], [0, nan], [0, 1], [0, nan]],
                                      np.float32),
      schema.DEGRADATION: np.array([0, 0, 1, 2, 2, 0], np.int32),
  }


def test_classification_report_on_a_hand_made_example():
  """Every entry of the report has the value worked out by hand: top-1/top-5, mean trait AUC
  against the table and the visible truth (NaN AUCs skipped), accuracy per frequency bin and per
  degradation (absent groups left out)."""
  train_counts = np.array([150, 100, 5, 101, 200, 19])  # head, mid, tail, head, head, tail.
  report = classification.classification_report(_hand_made_predictions(), train_counts)
  assert set(report) == {"species_top1", "species_top5", "trait_auc_table", "trait_auc_visible",
                         "by_frequency_bin", "by_degradation"}
  assert report["species_top1"] == pytest.approx(3 / 6)
  assert report["species_top5"] == pytest.approx(4 / 6)
  assert report["trait_auc_table"] == pytest.approx((7 / 9 + 2.5 / 4) / 2)
  assert report["trait_auc_visible"] == pytest.approx(7 / 8)
  assert report["by_frequency_bin"] == pytest.approx({"head": 2 / 3, "mid": 0.0, "tail": 0.5})
  assert report["by_degradation"] == pytest.approx({"none": 1 / 3, "blur": 1.0, "dark": 0.5})
  json.dumps(report, allow_nan=False)


def test_classification_report_writes_none_for_undefined_auc():
  """Where no trait has both classes the AUC entries are None (valid JSON), not NaN."""
  predictions = _hand_made_predictions()
  predictions[schema.TRAITS_VISIBLE] = np.full((6, 2), np.nan, np.float32)
  predictions[schema.TRAITS] = np.ones((6, 2), np.float32)
  report = classification.classification_report(predictions, np.full(6, 50))
  assert report["trait_auc_table"] is None and report["trait_auc_visible"] is None
  assert report["by_frequency_bin"] == pytest.approx({"mid": 0.5})
  json.dumps(report, allow_nan=False)


def test_nearest_row_top1_splits_ties_and_ignores_unknown_traits():
  table = np.array([[1, 0, 1], [1, 0, 0], [0, 1, np.nan]], np.float32)
  truth = np.array([[1, 0, 1],         # row 0 exactly: right
                    [1, np.nan, np.nan],  # rows 0 and 1 tie (row 2 is 1 away): half right
                    [0, 1, 1]], np.float32)  # row 2 at distance 0 on the known traits: right
  np.testing.assert_allclose(classification.nearest_row_top1(truth, table, np.array([0, 1, 2])),
                             (1 + 0.5 + 1) / 3)
