"""Temperature scaling, ECE, NLL, Brier score and reliability bins on constructed predictions."""

import numpy as np
import pytest

from traitjax.metrics import calibration


def _calibrated(num_examples, num_classes=10, seed=0):
  """Logits and labels drawn from their own softmax: a perfectly calibrated model."""
  rng = np.random.default_rng(seed)
  logits = rng.normal(scale=2.0, size=(num_examples, num_classes))
  probabilities = calibration.softmax(logits)
  labels = (probabilities.cumsum(-1) < rng.random((num_examples, 1))).sum(-1)
  return logits, np.minimum(labels, num_classes - 1)


def test_softmax_rows_sum_to_one_at_any_temperature():
  logits = np.array([[1000.0, 0.0, -5.0], [1.0, 2.0, 3.0]])
  for temperature in (0.1, 1.0, 7.0):
    probabilities = calibration.softmax(logits, temperature)
    assert np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(probabilities.sum(-1), 1.0)
  np.testing.assert_allclose(calibration.softmax(np.zeros((1, 4))), 0.25)


def test_temperature_scaling_undoes_overconfidence():
  """Logits x 5 of a calibrated model: the fitted temperature is near 5 and lowers the NLL."""
  logits, labels = _calibrated(20000)
  overconfident = 5.0 * logits
  temperature = calibration.fit_temperature(overconfident, labels)
  assert temperature == pytest.approx(5.0, rel=0.05)
  before = calibration.negative_log_likelihood(calibration.softmax(overconfident), labels)
  after = calibration.negative_log_likelihood(calibration.softmax(overconfident, temperature),
                                              labels)
  assert after < before - 0.5
  assert calibration.fit_temperature(logits, labels) == pytest.approx(1.0, rel=0.05)


def test_fit_temperature_needs_examples():
  with pytest.raises(ValueError, match="at least one example"):
    calibration.fit_temperature(np.zeros((0, 3)), np.zeros(0, int))


def test_ece_is_small_when_calibrated_and_large_when_overconfident():
  logits, labels = _calibrated(20000)
  calibrated = calibration.expected_calibration_error(calibration.softmax(logits), labels)
  overconfident = calibration.expected_calibration_error(calibration.softmax(5 * logits), labels)
  assert calibrated < 0.02
  assert overconfident > 0.2


def test_ece_nll_brier_and_bins_by_hand():
  probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6]])
  labels = np.array([0, 1, 1, 1])
  # Bins of 0.5 width: (0.5, 1] holds all four, confidence 0.75 and accuracy 0.75.
  assert calibration.expected_calibration_error(probabilities, labels, num_bins=2) == pytest.approx(
      0.0, abs=1e-12)
  # 10 bins: 0.9 right, 0.8 wrong, 0.7 right, 0.6 right -> |1-.9|+|0-.8|+|1-.7|+|1-.6| over 4.
  assert calibration.expected_calibration_error(probabilities, labels, num_bins=10) == (
      pytest.approx((0.1 + 0.8 + 0.3 + 0.4) / 4))
  assert calibration.negative_log_likelihood(probabilities, labels) == pytest.approx(
      -np.mean(np.log([0.9, 0.2, 0.7, 0.6])))
  assert calibration.brier_score(probabilities, labels) == pytest.approx(
      np.mean([2 * 0.1**2, 2 * 0.8**2, 2 * 0.3**2, 2 * 0.4**2]))
  bins = calibration.reliability_bins(probabilities, labels, num_bins=10)
  assert bins["count"] == [0, 0, 0, 0, 0, 1, 1, 1, 1, 0]
  assert bins["accuracy"][:5] == [None] * 5 and bins["accuracy"][5:9] == [1.0, 1.0, 0.0, 1.0]
  assert bins["confidence"][7] == pytest.approx(0.8)
  assert bins["upper_edge"][-1] == 1.0


def test_empty_inputs_give_nan():
  empty = np.zeros((0, 3))
  labels = np.zeros(0, int)
  assert np.isnan(calibration.expected_calibration_error(empty, labels))
  assert np.isnan(calibration.negative_log_likelihood(empty, labels))
  assert np.isnan(calibration.brier_score(empty, labels))


def test_fit_logistic_recovers_each_batched_regression():
  rng = np.random.default_rng(0)
  truth = np.array([[2.0, -1.0], [-0.5, 0.5], [0.0, 3.0]])  # [G, D]: slope, intercept
  x = np.stack([rng.normal(size=(3, 20000)), np.ones((3, 20000))], -1)
  y = rng.random((3, 20000)) < 1 / (1 + np.exp(-np.einsum("gnd,gd->gn", x, truth)))
  fitted = calibration.fit_logistic(x, y, l2=1e-6)
  np.testing.assert_allclose(fitted, truth, atol=0.1)


def test_fit_logistic_leaves_out_weightless_examples_and_stays_at_its_prior_without_any():
  x = np.stack([np.linspace(-2, 2, 100), np.ones(100)], -1)[None]
  y = (x[..., 0] > 0).astype(float)
  weights = np.zeros((1, 100))
  np.testing.assert_allclose(calibration.fit_logistic(x, y, weights, prior=np.array([1.0, 0.0])),
                             [[1.0, 0.0]])
  flipped = calibration.fit_logistic(x, 1 - y, l2=1e-3)  # Separable: finite, and negative.
  assert np.all(np.isfinite(flipped)) and flipped[0, 0] < -3


def test_binary_calibration_error_of_calibrated_and_overconfident_traits():
  rng = np.random.default_rng(0)
  p = rng.random((5000, 8))
  labels = (rng.random(p.shape) < p).astype(float)
  labels[0] = np.nan  # Unknown labels are left out.
  assert calibration.binary_calibration_error(p, labels) < 0.02
  sharp = calibration.sigmoid(4 * np.log(p / (1 - p)))
  assert calibration.binary_calibration_error(sharp, labels) > 0.1
  assert np.isnan(calibration.binary_calibration_error(p, np.full(p.shape, np.nan)))
