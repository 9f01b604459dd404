"""AUC by ranks against brute-force pairwise counts."""

import numpy as np
import pytest

from traitjax.metrics import auc


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
  np.testing.assert_allclose(auc.binary_auc(scores, labels), _pairwise_auc(scores, labels),
                             rtol=1e-12)


def test_binary_auc_hand_values_and_integer_labels():
  """Perfect, reversed and all-tied scores give 1, 0 and 1/2; 0/1 integer labels give the same
  AUC as booleans."""
  labels = np.array([False, False, True, True])
  assert auc.binary_auc(np.array([0.1, 0.2, 0.3, 0.4]), labels) == 1.0
  assert auc.binary_auc(np.array([0.4, 0.3, 0.2, 0.1]), labels) == 0.0
  assert auc.binary_auc(np.zeros(4), labels) == 0.5
  scores = np.array([0.1, 0.4, 0.35, 0.8])
  assert auc.binary_auc(scores, labels) == 0.75
  assert auc.binary_auc(scores, labels.astype(np.int64)) == 0.75


def test_binary_auc_is_nan_with_one_class():
  """With only positives or only negatives (or nothing) the AUC is NaN."""
  scores = np.array([0.3, 0.1, 0.9])
  assert np.isnan(auc.binary_auc(scores, np.ones(3, bool)))
  assert np.isnan(auc.binary_auc(scores, np.zeros(3, bool)))
  assert np.isnan(auc.binary_auc(np.zeros(0), np.zeros(0, bool)))
