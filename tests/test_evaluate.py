"""Evaluation protocols: AUC, top-k, frequency bins and the classification report."""

import json

import jax
import numpy as np
import pytest

from traitjax import evaluate
from traitjax.data import schema
from traitjax.models import species


def _pairwise_auc(scores, labels):
  """P(score of a positive > score of a negative), ties counting 1/2, over every pair."""
  positives = scores[labels]
  negatives = scores[~labels]
  greater = (positives[:, None] > negatives[None, :]).sum()
  ties = (positives[:, None] == negatives[None, :]).sum()
  return (greater + 0.5 * ties) / (len(positives) * len(negatives))


@pytest.mark.parametrize("seed", range(6))
def test_binary_auc_matches_pairwise_count_with_ties(seed):
  """The rank AUC equals the brute-force pairwise AUC on random data with many tied scores."""
  rng = np.random.default_rng(seed)
  n = int(rng.integers(5, 200))
  labels = rng.random(n) < 0.3
  labels[:2] = [True, False]  # Both classes present.
  scores = np.round(rng.normal(size=n) + 0.7 * labels, 1)
  assert len(np.unique(scores)) < n  # There are ties to average.
  np.testing.assert_allclose(evaluate.binary_auc(scores, labels), _pairwise_auc(scores, labels),
                             rtol=1e-12)


def test_binary_auc_hand_values_and_integer_labels():
  """Perfect, reversed and all-tied scores give 1, 0 and 1/2; 0/1 integer labels give the same
  AUC as booleans."""
  labels = np.array([False, False, True, True])
  assert evaluate.binary_auc(np.array([0.1, 0.2, 0.3, 0.4]), labels) == 1.0
  assert evaluate.binary_auc(np.array([0.4, 0.3, 0.2, 0.1]), labels) == 0.0
  assert evaluate.binary_auc(np.zeros(4), labels) == 0.5
  scores = np.array([0.1, 0.4, 0.35, 0.8])
  assert evaluate.binary_auc(scores, labels) == 0.75
  assert evaluate.binary_auc(scores, labels.astype(np.int64)) == 0.75


def test_binary_auc_is_nan_with_one_class():
  """With only positives or only negatives (or nothing) the AUC is NaN."""
  scores = np.array([0.3, 0.1, 0.9])
  assert np.isnan(evaluate.binary_auc(scores, np.ones(3, bool)))
  assert np.isnan(evaluate.binary_auc(scores, np.zeros(3, bool)))
  assert np.isnan(evaluate.binary_auc(np.zeros(0), np.zeros(0, bool)))


def test_top_k_accuracy():
  """Top-k counts a row as right when its label is among its k highest logits; k beyond the
  number of classes is all of them; no rows give NaN."""
  logits = np.array([[0.1, 0.5, 0.2, 0.9],   # ranks: 3, 1, 2, 0
                     [2.0, 1.0, 0.0, -1.0],  # ranks: 0, 1, 2, 3
                     [0.0, 0.0, 5.0, 1.0]])  # ranks: 2, 3, 0, 1
  labels = np.array([1, 3, 2])
  assert evaluate.top_k_accuracy(logits, labels, 1) == pytest.approx(1 / 3)
  assert evaluate.top_k_accuracy(logits, labels, 2) == pytest.approx(2 / 3)
  assert evaluate.top_k_accuracy(logits, labels, 3) == pytest.approx(2 / 3)
  assert evaluate.top_k_accuracy(logits, labels, 4) == 1.0
  assert evaluate.top_k_accuracy(logits, labels, 10) == 1.0
  assert np.isnan(evaluate.top_k_accuracy(logits[:0], labels[:0], 5))


def test_frequency_bins_thresholds():
  """More than HEAD (100) training images is head, fewer than TAIL (20) is tail, the rest mid
  (both thresholds inclusive of mid)."""
  assert (evaluate.HEAD, evaluate.TAIL) == (100, 20)
  counts = np.array([0, 19, 20, 21, 99, 100, 101, 5000])
  assert evaluate.frequency_bins(counts).tolist() == [
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
  report = evaluate.classification_report(_hand_made_predictions(), train_counts)
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
  report = evaluate.classification_report(predictions, np.full(6, 50))
  assert report["trait_auc_table"] is None and report["trait_auc_visible"] is None
  assert report["by_frequency_bin"] == pytest.approx({"mid": 0.5})
  json.dumps(report, allow_nan=False)


def test_zeroshot_report_scores_unseen_species_among_themselves_and_among_all():
  """Species 0-2 seen, 3-4 unseen. Unseen examples: one right among all species, one right
  only once the seen species are excluded, one wrong either way; two seen examples, one right."""
  seen_species = np.array([True, True, True, False, False])
  logits = np.array([
      [0, 0, 0, 5, 1],   # unseen 3: right among all
      [9, 0, 0, 1, 5],   # unseen 4: a seen species wins; right among the unseen
      [0, 0, 0, 5, 1],   # unseen 4: wrong either way
      [0, 7, 0, 0, 0],   # seen 1: right
      [0, 7, 0, 0, 0],   # seen 2: wrong
  ], np.float32)
  species = np.array([3, 4, 4, 1, 2])
  report = evaluate.zeroshot_report(logits, species, seen_species)
  np.testing.assert_allclose(report["unseen_top1"], 2 / 3)
  np.testing.assert_allclose(report["unseen_top1_generalized"], 1 / 3)
  np.testing.assert_allclose(report["seen_top1"], 1 / 2)
  np.testing.assert_allclose(report["harmonic_mean"], 2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))
  assert report["num_unseen_species"] == 2
  # Lowering the seen logits moves photos 0 and 2, then 1, then the seen ones to the unseen
  # species: (unseen, seen) top-1 goes (0, 1/2), (1/3, 1/2), (2/3, 1/2), (2/3, 0).
  np.testing.assert_allclose(report["ausuc"], 2 / 3 * 1 / 2)
  np.testing.assert_allclose(report["best_harmonic_mean"], 2 * (1 / 2) * (2 / 3) / (1 / 2 + 2 / 3))
  only_unseen = evaluate.zeroshot_report(logits[:3], species[:3], seen_species)
  assert not {"harmonic_mean", "seen_top1", "ausuc"} & set(only_unseen)
  with pytest.raises(ValueError, match="unseen"):
    evaluate.zeroshot_report(logits[3:], species[3:], seen_species)


def test_few_shot_report_refines_only_unseen_rows_and_scores_the_other_photos():
  """Species 0-1 seen, 2-3 unseen with wrong rows; with 1 shot each the refined rows name the
  remaining photos of species 2 and 3, the shots are not scored, and the odds among the seen
  species do not move."""
  truth = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1], [1, 1, 1, 0]], np.float32)
  table = truth.copy()
  table[2], table[3] = truth[3], truth[2]  # The unseen species' rows are swapped.
  head = species.TraitToSpecies()
  variables = head.init(jax.random.key(0), np.zeros((1, 4)), table)
  labels = np.array([0, 1, 2, 2, 2, 3, 3, 3])
  logits = np.where(truth[labels] > 0.5, 4.0, -4.0).astype(np.float32)
  predictions = {"trait_logits": logits, schema.SPECIES: labels}
  seen = np.array([True, True, False, False])
  report = evaluate.few_shot_report(
      predictions, seen, table, (1,), lambda p, t: head.apply(variables, p, t), 0.5)
  one = report["1_shot"]
  assert one["num_scored"] == 4  # Two photos each of species 2 and 3.
  assert one["zeroshot_unseen_top1"] == 0.0 and one["unseen_top1"] == 1.0
  assert one["seen_odds_max_change"] < 1e-6
