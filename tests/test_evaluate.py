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


@pytest.mark.parametrize("labels, clusters, nmi, ari", [
    # H(labels) = ln 2, H(clusters) = 1.5 ln 2, I = ln 2 (clusters determine labels): 0.8. Pairs:
    # 1 together in both; 2 in labels, 1 in clusters, of 6: (1 - 1/3) / (3/2 - 1/3) = 4/7.
    ([0, 0, 1, 1], [0, 0, 1, 2], 0.8, 4 / 7),
    ([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9], 1.0, 1.0),  # The same partition, renamed.
    # Independent: I = 0; no pair together in both, 2 x 2 / 6 expected: (0 - 2/3) / (2 - 2/3).
    ([0, 0, 1, 1], [0, 1, 0, 1], 0.0, -0.5),
    # One cluster: I = 0; 2 pairs together in both, 2 x 6 / 6 expected: (2 - 2) / (4 - 2).
    ([0, 0, 1, 1], [7, 7, 7, 7], 0.0, 0.0),
    ([3, 3, 3], [1, 1, 1], 1.0, 1.0),  # Nothing to tell apart.
])
def test_nmi_and_ari_hand_values(labels, clusters, nmi, ari):
  assert evaluate.normalized_mutual_information(np.array(labels), np.array(clusters)) == (
      pytest.approx(nmi, abs=1e-12))
  assert evaluate.adjusted_rand_index(np.array(labels), np.array(clusters)) == (
      pytest.approx(ari, abs=1e-12))


def test_nmi_and_ari_are_symmetric_and_reject_mismatched_lengths():
  rng = np.random.default_rng(0)
  labels, clusters = rng.integers(0, 4, 50), rng.integers(0, 6, 50)
  assert evaluate.normalized_mutual_information(labels, clusters) == pytest.approx(
      evaluate.normalized_mutual_information(clusters, labels))
  assert evaluate.adjusted_rand_index(labels, clusters) == pytest.approx(
      evaluate.adjusted_rand_index(clusters, labels))
  with pytest.raises(ValueError, match="one length"):
    evaluate.adjusted_rand_index(labels, clusters[:-1])


def test_keypoint_regression_error_is_zero_for_linear_keypoints():
  rng = np.random.default_rng(0)
  inputs = rng.uniform(size=(40, 3))
  keypoints = np.stack([0.2 + 0.5 * inputs[:, 0] - 0.1 * inputs[:, 2],
                        0.1 + 0.3 * inputs[:, 1], np.ones(40)], axis=-1)[:, None]
  assert evaluate.keypoint_regression_error(inputs, keypoints, ridge=0.0) < 1e-9


def test_keypoint_regression_error_of_uninformative_inputs_is_the_distance_to_the_other_mean():
  # Photos 0 and 2 fit the mean (0.25, 0), scored on photos 1 and 3; then the other way round
  # with the mean (0.75, 0.5). A second keypoint, never visible, counts nowhere.
  positions = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.0], [0.5, 1.0]])
  keypoints = np.zeros((4, 2, 3))
  keypoints[:, 0, :2], keypoints[:, 0, 2] = positions, 1.0
  keypoints[:, 1, :2] = 0.9
  expected = np.mean([np.hypot(0.75, 0.0), np.hypot(0.25, 1.0),
                      np.hypot(0.75, 0.5), np.hypot(0.25, 0.5)])
  assert evaluate.keypoint_regression_error(np.zeros((4, 2)), keypoints) == pytest.approx(
      expected, rel=1e-9)
  assert np.isnan(evaluate.keypoint_regression_error(np.zeros((4, 2)), keypoints[:, 1:]))


def test_masks_at_interpolates_between_location_centres():
  masks = np.zeros((1, 2, 2, 2))
  masks[0, 0, 0, 0] = 1.0
  masks[0, 1] = 1.0 - masks[0, 0]
  points = np.array([[[0.25, 0.25], [0.5, 0.25], [0.0, 0.0], [0.75, 0.75]]])
  np.testing.assert_allclose(evaluate.masks_at(masks, points)[0, :, 0], [1.0, 0.5, 1.0, 0.0])
  np.testing.assert_allclose(evaluate.masks_at(masks, points).sum(-1), 1.0)


def test_part_discovery_report_of_slots_that_are_the_parts():
  # Four photos, 4 x 4 masks, two parts: slot 0 owns the left half, slot 1 the right half, the
  # background slot nothing; part 0 sits on the left, part 1 on the right (hidden in photo 3).
  masks = np.zeros((4, 3, 4, 4))
  masks[:, 0, :, :2] = 1.0
  masks[:, 1, :, 2:] = 1.0
  keypoints = np.zeros((4, 2, 3))
  keypoints[:, 0] = [0.2, 0.5, 1.0]
  keypoints[:, 1] = [0.8, 0.5, 1.0]
  keypoints[3, 1] = 0.0
  centroids = np.tile([[0.25, 0.5], [0.75, 0.5], [0.5, 0.5]], (4, 1, 1))
  report = evaluate.part_discovery_report(masks, centroids, masks.max((2, 3)), keypoints, 2)
  assert report["nmi"] == pytest.approx(1.0)
  assert report["ari"] == pytest.approx(1.0)
  assert report["num_keypoints"] == 7 and report["num_slots"] == 2
  assert report["background_share"] == 0.0
  assert report["keypoint_error"] == pytest.approx(0.0, abs=1e-6)
  masks[1, 2, :, :2], masks[1, 0] = 1.0, 0.0  # The background takes part 0 in photo 1.
  report = evaluate.part_discovery_report(masks, centroids, masks.max((2, 3)), keypoints, 2)
  assert report["background_share"] == pytest.approx(1 / 7)
  assert report["nmi"] < 1.0


def test_slot_trait_names_give_each_trait_to_its_best_slot_and_flag_the_others():
  rng = np.random.default_rng(0)
  truth = rng.integers(0, 2, (60, 3)).astype(np.float32)
  truth[:5, 0] = np.nan  # Unknown cells are left out.
  logits = rng.normal(size=(60, 3, 3))
  logits[:, 0, 0] = np.nan_to_num(truth[:, 0], nan=0.5) + 0.1 * rng.normal(size=60)
  logits[:, 1, 0] = np.nan_to_num(truth[:, 0], nan=0.5) + rng.normal(size=60)  # Worse.
  logits[:, 1, 1] = truth[:, 1]
  names = evaluate.slot_trait_names(logits, truth, ("a::x", "a::y", "b::z"), 0.8, 3)
  assert [n["slot"] for n in names] == [0, 1, 2]
  assert [t["trait"] for t in names[0]["traits"]] == ["a::x"]
  assert names[0]["traits"][0]["auc"] == pytest.approx(1.0)
  assert [t["trait"] for t in names[1]["traits"]] == ["a::y"]
  assert names[1]["best_auc"] == pytest.approx(1.0)
  assert [n["candidate_new_trait"] for n in names] == [False, False, True]
  assert names[2]["traits"] == [] and names[2]["best_auc"] < 0.8
  with pytest.raises(ValueError, match="trait names"):
    evaluate.slot_trait_names(logits, truth, ("a::x",), 0.8, 3)


def test_nearest_row_top1_splits_ties_and_ignores_unknown_traits():
  table = np.array([[1, 0, 1], [1, 0, 0], [0, 1, np.nan]], np.float32)
  truth = np.array([[1, 0, 1],         # row 0 exactly: right
                    [1, np.nan, np.nan],  # rows 0 and 1 tie (row 2 is 1 away): half right
                    [0, 1, 1]], np.float32)  # row 2 at distance 0 on the known traits: right
  np.testing.assert_allclose(evaluate.nearest_row_top1(truth, table, np.array([0, 1, 2])),
                             (1 + 0.5 + 1) / 3)
