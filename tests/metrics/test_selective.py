"""Risk-coverage curves, their areas, and accuracy/coverage trade-offs on hand examples."""

import numpy as np
import pytest

from traitjax.metrics import selective

CONFIDENCE = np.array([0.9, 0.8, 0.7, 0.6])
CORRECT = np.array([True, False, True, False])


def test_risk_coverage_by_hand():
  coverage, risk = selective.risk_coverage(CONFIDENCE, CORRECT)
  np.testing.assert_allclose(coverage, [0.25, 0.5, 0.75, 1.0])
  np.testing.assert_allclose(risk, [0, 1 / 2, 1 / 3, 1 / 2])


def test_aurc_and_augrc_by_hand():
  # Risks 0, 1/2, 1/3, 1/2; accepted errors over all examples 0, 1/4, 1/4, 2/4.
  assert selective.aurc(CONFIDENCE, CORRECT) == pytest.approx((0 + 1 / 2 + 1 / 3 + 1 / 2) / 4)
  assert selective.augrc(CONFIDENCE, CORRECT) == pytest.approx((0 + 1 / 4 + 1 / 4 + 2 / 4) / 4)
  # A perfect ranking has no risk until the errors must be accepted.
  assert selective.aurc([4, 3, 2, 1], [True, True, False, False]) == pytest.approx(
      (0 + 0 + 1 / 3 + 1 / 2) / 4)


def test_ties_are_accepted_together_whatever_their_order():
  confidence = np.array([0.5, 0.5, 0.9, 0.5])
  for correct in ([False, True, True, True], [True, True, True, False]):
    coverage, risk = selective.risk_coverage(confidence, np.array(correct))
    np.testing.assert_allclose(coverage, [0.25, 1.0])
    np.testing.assert_allclose(risk, [0.0, 0.25])
    assert selective.aurc(confidence, np.array(correct)) == pytest.approx(0.75 * 0.25)


def test_accuracy_at_coverage_and_coverage_at_accuracy_by_hand():
  assert selective.accuracy_at_coverage(CONFIDENCE, CORRECT, 0.25) == 1.0
  assert selective.accuracy_at_coverage(CONFIDENCE, CORRECT, 0.3) == 0.5  # 2 accepted
  assert selective.accuracy_at_coverage(CONFIDENCE, CORRECT, 0.75) == pytest.approx(2 / 3)
  assert selective.accuracy_at_coverage(CONFIDENCE, CORRECT, 1.0) == 0.5
  assert selective.coverage_at_accuracy(CONFIDENCE, CORRECT, 0.95) == 0.25
  assert selective.coverage_at_accuracy(CONFIDENCE, CORRECT, 0.6) == 0.75
  assert selective.coverage_at_accuracy(CONFIDENCE, CORRECT, 0.5) == 1.0
  assert selective.coverage_at_accuracy(CONFIDENCE, ~CORRECT, 0.95) == 0.0


def test_threshold_at_accuracy_is_the_confidence_where_coverage_at_accuracy_stops():
  assert selective.threshold_at_accuracy(CONFIDENCE, CORRECT, 0.95) == 0.9
  assert selective.threshold_at_accuracy(CONFIDENCE, CORRECT, 0.6) == 0.7  # 3 accepted
  assert selective.threshold_at_accuracy(CONFIDENCE, CORRECT, 0.5) == 0.6
  assert selective.threshold_at_accuracy(CONFIDENCE, ~CORRECT, 0.95) == np.inf
  # Ties are accepted together: at 0.5 all four are in, 3 of them right.
  tied = np.array([0.5, 0.5, 0.9, 0.5])
  assert selective.threshold_at_accuracy(tied, np.array([False, True, True, True]), 0.75) == 0.5
  assert selective.threshold_at_accuracy(tied, np.array([False, False, True, True]), 0.75) == 0.9
  assert np.isnan(selective.threshold_at_accuracy([], [], 0.5))


def test_roc_auc_and_empty_inputs():
  assert selective.roc_auc(CONFIDENCE, CORRECT) == pytest.approx(0.75)
  assert np.isnan(selective.aurc([], []))
  assert np.isnan(selective.augrc([], []))
  assert np.isnan(selective.accuracy_at_coverage([], [], 0.5))
  assert np.isnan(selective.coverage_at_accuracy([], [], 0.5))
