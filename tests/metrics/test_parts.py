"""Part discovery: NMI, ARI, keypoint regression, masks at points, slot names."""

import numpy as np
import pytest

from traitjax.metrics import parts


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
  assert parts.normalized_mutual_information(np.array(labels), np.array(clusters)) == (
      pytest.approx(nmi, abs=1e-12))
  assert parts.adjusted_rand_index(np.array(labels), np.array(clusters)) == (
      pytest.approx(ari, abs=1e-12))


def test_nmi_and_ari_are_symmetric_and_reject_mismatched_lengths():
  rng = np.random.default_rng(0)
  labels, clusters = rng.integers(0, 4, 50), rng.integers(0, 6, 50)
  assert parts.normalized_mutual_information(labels, clusters) == pytest.approx(
      parts.normalized_mutual_information(clusters, labels))
  assert parts.adjusted_rand_index(labels, clusters) == pytest.approx(
      parts.adjusted_rand_index(clusters, labels))
  with pytest.raises(ValueError, match="one length"):
    parts.adjusted_rand_index(labels, clusters[:-1])


def test_keypoint_regression_error_is_zero_for_linear_keypoints():
  rng = np.random.default_rng(0)
  inputs = rng.uniform(size=(40, 3))
  keypoints = np.stack([0.2 + 0.5 * inputs[:, 0] - 0.1 * inputs[:, 2],
                        0.1 + 0.3 * inputs[:, 1], np.ones(40)], axis=-1)[:, None]
  assert parts.keypoint_regression_error(inputs, keypoints, ridge=0.0) < 1e-9


def test_keypoint_regression_error_of_uninformative_inputs_is_the_distance_to_the_other_mean():
  # Photos 0 and 2 fit the mean (0.25, 0), scored on photos 1 and 3; then the other way round
  # with the mean (0.75, 0.5). A second keypoint, never visible, counts nowhere.
  positions = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.0], [0.5, 1.0]])
  keypoints = np.zeros((4, 2, 3))
  keypoints[:, 0, :2], keypoints[:, 0, 2] = positions, 1.0
  keypoints[:, 1, :2] = 0.9
  expected = np.mean([np.hypot(0.75, 0.0), np.hypot(0.25, 1.0),
                      np.hypot(0.75, 0.5), np.hypot(0.25, 0.5)])
  assert parts.keypoint_regression_error(np.zeros((4, 2)), keypoints) == pytest.approx(
      expected, rel=1e-9)
  assert np.isnan(parts.keypoint_regression_error(np.zeros((4, 2)), keypoints[:, 1:]))


def test_masks_at_interpolates_between_location_centres():
  masks = np.zeros((1, 2, 2, 2))
  masks[0, 0, 0, 0] = 1.0
  masks[0, 1] = 1.0 - masks[0, 0]
  points = np.array([[[0.25, 0.25], [0.5, 0.25], [0.0, 0.0], [0.75, 0.75]]])
  np.testing.assert_allclose(parts.masks_at(masks, points)[0, :, 0], [1.0, 0.5, 1.0, 0.0])
  np.testing.assert_allclose(parts.masks_at(masks, points).sum(-1), 1.0)


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
  report = parts.part_discovery_report(masks, centroids, masks.max((2, 3)), keypoints, 2)
  assert report["nmi"] == pytest.approx(1.0)
  assert report["ari"] == pytest.approx(1.0)
  assert report["num_keypoints"] == 7 and report["num_slots"] == 2
  assert report["background_share"] == 0.0
  assert report["keypoint_error"] == pytest.approx(0.0, abs=1e-6)
  masks[1, 2, :, :2], masks[1, 0] = 1.0, 0.0  # The background takes part 0 in photo 1.
  report = parts.part_discovery_report(masks, centroids, masks.max((2, 3)), keypoints, 2)
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
  names = parts.slot_trait_names(logits, truth, ("a::x", "a::y", "b::z"), 0.8, 3)
  assert [n["slot"] for n in names] == [0, 1, 2]
  assert [t["trait"] for t in names[0]["traits"]] == ["a::x"]
  assert names[0]["traits"][0]["auc"] == pytest.approx(1.0)
  assert [t["trait"] for t in names[1]["traits"]] == ["a::y"]
  assert names[1]["best_auc"] == pytest.approx(1.0)
  assert [n["candidate_new_trait"] for n in names] == [False, False, True]
  assert names[2]["traits"] == [] and names[2]["best_auc"] < 0.8
  with pytest.raises(ValueError, match="trait names"):
    parts.slot_trait_names(logits, truth, ("a::x",), 0.8, 3)


def test_slot_trait_names_chosen_on_other_photos_report_these_photos_aucs():
  """With the AUCs of other photos (val) choosing, a trait names the slot val prefers even when
  these photos (test) would prefer another, and the AUC listed is test's, not the best of K."""
  rng = np.random.default_rng(1)
  truth = rng.integers(0, 2, (80, 1)).astype(np.float32)
  logits = rng.normal(size=(80, 2, 1))
  logits[:, 1, 0] = truth[:, 0] + 0.5 * rng.normal(size=80)  # On test, slot 1 predicts it.
  chosen_by = np.array([[0.9], [0.6]])  # On val, slot 0 did.
  names = parts.slot_trait_names(logits, truth, ("a::x",), 0.75, 3, chosen_by=chosen_by)
  test_aucs = parts.slot_trait_aucs(logits, truth)
  assert [t["trait"] for t in names[0]["traits"]] == ["a::x"] and not names[1]["traits"]
  assert names[0]["traits"][0]["auc"] == pytest.approx(test_aucs[0, 0])
  assert names[0]["traits"][0]["auc"] < test_aucs[1, 0]
  assert names[1]["best_auc"] == pytest.approx(test_aucs[1, 0])
  with pytest.raises(ValueError, match=r"choosing AUCs have shape \(1, 1\), expected \(2, 1\)"):
    parts.slot_trait_names(logits, truth, ("a::x",), 0.75, 3, chosen_by=np.ones((1, 1)))
