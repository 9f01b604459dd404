"""Peaks of evidence maps, the pointing game and the deletion area."""

import numpy as np
import pytest

from traitjax.metrics import explanations


def test_a_peak_is_the_centre_of_the_highest_cell():
  maps = np.zeros((2, 4, 4))
  maps[0, 1, 3] = 5.0  # Row 1, column 3.
  maps[1, 3, 0] = 1.0
  np.testing.assert_allclose(explanations.peak_locations(maps),
                             [[0.875, 0.375], [0.125, 0.875]])


def test_half_diagonal_of_a_cell():
  assert explanations.cell_half_diagonal(4, 4) == pytest.approx(np.sqrt(2) / 8)
  assert explanations.cell_half_diagonal(7, 7) == pytest.approx(np.sqrt(2) / 14)


def test_a_point_hits_only_a_visible_allowed_keypoint_within_the_radius():
  keypoints = np.array([[0.5, 0.5, 1.0], [0.9, 0.9, 1.0], [0.1, 0.1, 0.0]])
  points = np.array([[0.55, 0.5],   # 0.05 from keypoint 0
                     [0.55, 0.5],   # ... which it may not point at
                     [0.1, 0.12],   # near keypoint 2, which is hidden
                     [0.9, 0.75]])  # 0.15 from keypoint 1: beyond 0.1
  allowed = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]], bool)
  hits = explanations.pointing_hits(points, np.broadcast_to(keypoints, (4, 3, 3)), allowed, 0.1)
  assert hits.tolist() == [True, False, False, False]
  assert explanations.pointing_hits(points[3:], keypoints[None], allowed[3:], 0.16).tolist() == [
      True]
  assert explanations.hit_rate(hits) == 0.25
  assert np.isnan(explanations.hit_rate(hits[:0]))
  with pytest.raises(ValueError, match="radius"):
    explanations.pointing_hits(points, keypoints[None], allowed, -1)


def test_deletion_area_is_one_when_nothing_changes_and_smaller_the_faster_it_falls():
  flat = np.full((3, 4), 0.6)
  falling = np.array([[0.8, 0.4, 0.2, 0.0]])
  assert explanations.deletion_area(flat) == pytest.approx(1.0)
  # Relative curve 1, 0.5, 0.25, 0: trapezoids (1.5 + 0.75 + 0.25) / (2 * 3).
  assert explanations.deletion_area(falling) == pytest.approx(2.5 / 6)
  assert explanations.deletion_area(np.concatenate([flat[:1], falling])) == pytest.approx(
      (1 + 2.5 / 6) / 2)
  assert np.isnan(explanations.deletion_area(np.zeros((0, 3))))
  with pytest.raises(ValueError, match="curves must be"):
    explanations.deletion_area(np.ones((2, 1)))
