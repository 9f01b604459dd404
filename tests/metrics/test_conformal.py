"""Split conformal APS sets: coverage near 1 - alpha over many calibration/test draws."""

import numpy as np
import pytest

from traitjax.metrics import calibration
from traitjax.metrics import conformal


def _draw(rng, num_examples, num_classes=20):
  """Over-confident logits (x 3 of the model the labels come from)."""
  logits = rng.normal(scale=1.5, size=(num_examples, num_classes))
  probabilities = calibration.softmax(logits)
  labels = np.minimum((probabilities.cumsum(-1) < rng.random((num_examples, 1))).sum(-1),
                      num_classes - 1)
  return calibration.softmax(3 * logits), labels


@pytest.mark.parametrize("alpha", [0.05, 0.2])
def test_coverage_holds_near_one_minus_alpha_on_average(alpha):
  rng = np.random.default_rng(0)
  coverages = []
  for _ in range(100):
    probabilities, labels = _draw(rng, 400)
    scores = conformal.aps_scores(probabilities[:200], labels[:200], rng)
    threshold = conformal.aps_threshold(scores, alpha)
    sets = conformal.aps_sets(probabilities[200:], threshold, rng)
    coverages.append(conformal.set_report(sets, labels[200:])["coverage"])
  assert abs(np.mean(coverages) - (1 - alpha)) < 0.02


def test_sets_are_the_most_probable_classes_and_grow_with_the_threshold():
  rng = np.random.default_rng(1)
  probabilities, _ = _draw(rng, 50)
  small = conformal.aps_sets(probabilities, 0.5, np.random.default_rng(2))
  large = conformal.aps_sets(probabilities, 0.9, np.random.default_rng(2))
  assert np.all(large >= small)
  assert np.all(conformal.aps_sets(probabilities, np.inf, rng))
  # A set is a prefix of the classes by decreasing probability.
  sizes = small.sum(-1)
  order = np.argsort(-probabilities, -1, kind="stable")
  for row, size in enumerate(sizes):
    assert set(np.flatnonzero(small[row])) == set(order[row, :size])


def test_threshold_by_hand():
  scores = np.arange(1, 20) / 20  # n = 19
  assert conformal.aps_threshold(scores, 0.1) == pytest.approx(18 / 20)  # ceil(20 * 0.9) = 18
  assert conformal.aps_threshold(scores, 0.01) == np.inf
  with pytest.raises(ValueError, match="alpha"):
    conformal.aps_threshold(scores, 0.0)
