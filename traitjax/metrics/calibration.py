"""Calibration of species probabilities: temperature scaling (Guo et al. 2017), top-label
expected calibration error, negative log-likelihood, Brier score and reliability bins.

Probabilities are [N, S] rows summing to 1 and labels [N] their true classes; every function
works in float64.
"""

from __future__ import annotations

import numpy as np

# The temperatures searched: log T in [log MIN, log MAX].
MIN_TEMPERATURE = 0.01
MAX_TEMPERATURE = 100.0
# Probabilities are clipped at this before a log (a hard zero on the true class would be inf).
EPSILON = 1e-12


def log_softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
  scaled = np.asarray(logits, np.float64) / temperature
  scaled = scaled - scaled.max(-1, keepdims=True)
  return scaled - np.log(np.exp(scaled).sum(-1, keepdims=True))


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
  """softmax(logits / temperature) over the last axis."""
  return np.exp(log_softmax(logits, temperature))


def sigmoid(logits: np.ndarray) -> np.ndarray:
  """1 / (1 + exp(-logits)) in float64 (trait probabilities from trait logits)."""
  return 1 / (1 + np.exp(-np.clip(np.asarray(logits, np.float64), -700, 700)))


def _logit_nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
  return float(-np.mean(log_softmax(logits, temperature)[np.arange(len(labels)), labels]))


def fit_temperature(logits: np.ndarray, labels: np.ndarray, tolerance: float = 1e-5) -> float:
  """The temperature T > 0 minimising the NLL of softmax(logits / T) on `labels`.

  The NLL is convex in 1/T, so unimodal in log T: a grid of log T over [MIN_TEMPERATURE,
  MAX_TEMPERATURE] brackets the minimum and a golden-section search on log T refines it to
  `tolerance` (in log T). Raises ValueError without examples."""
  logits = np.asarray(logits, np.float64)
  labels = np.asarray(labels)
  if len(labels) == 0:
    raise ValueError("fit_temperature needs at least one example")
  grid = np.linspace(np.log(MIN_TEMPERATURE), np.log(MAX_TEMPERATURE), 41)
  losses = [_logit_nll(logits, labels, np.exp(g)) for g in grid]
  best = int(np.argmin(losses))
  low, high = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
  ratio = (np.sqrt(5) - 1) / 2
  a, b = high - ratio * (high - low), low + ratio * (high - low)
  loss_a, loss_b = (_logit_nll(logits, labels, np.exp(x)) for x in (a, b))
  while high - low > tolerance:
    if loss_a <= loss_b:
      high, b, loss_b = b, a, loss_a
      a = high - ratio * (high - low)
      loss_a = _logit_nll(logits, labels, np.exp(a))
    else:
      low, a, loss_a = a, b, loss_b
      b = low + ratio * (high - low)
      loss_b = _logit_nll(logits, labels, np.exp(b))
  return float(np.exp((low + high) / 2))


def negative_log_likelihood(probabilities: np.ndarray, labels: np.ndarray) -> float:
  """Mean -log p(true class) (p clipped at EPSILON); NaN without examples."""
  if len(labels) == 0:
    return float("nan")
  own = np.asarray(probabilities, np.float64)[np.arange(len(labels)), labels]
  return float(-np.mean(np.log(np.maximum(own, EPSILON))))


def brier_score(probabilities: np.ndarray, labels: np.ndarray) -> float:
  """Mean over examples of the squared distance between the probabilities and the one-hot
  label, summed over classes (0 = perfect, 2 = sure and wrong); NaN without examples."""
  if len(labels) == 0:
    return float("nan")
  probabilities = np.asarray(probabilities, np.float64)
  onehot = np.zeros_like(probabilities)
  onehot[np.arange(len(labels)), labels] = 1.0
  return float(np.mean(np.sum((probabilities - onehot) ** 2, -1)))


def _bin_statistics(probabilities, labels, num_bins):
  """Per equal-width bin of top-label confidence ((0, 1/B], ..., ((B-1)/B, 1]): mean
  confidence, accuracy (NaN when empty) and count."""
  probabilities = np.asarray(probabilities, np.float64)
  confidence = probabilities.max(-1)
  correct = probabilities.argmax(-1) == np.asarray(labels)
  upper_edges = np.linspace(0.0, 1.0, num_bins + 1)[1:-1]
  bins = np.searchsorted(upper_edges, confidence, side="left")
  count = np.bincount(bins, minlength=num_bins)
  with np.errstate(invalid="ignore", divide="ignore"):
    mean_confidence = np.bincount(bins, confidence, num_bins) / count
    accuracy = np.bincount(bins, correct.astype(np.float64), num_bins) / count
  return mean_confidence, accuracy, count


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray,
                               num_bins: int = 15) -> float:
  """Top-label ECE: the count-weighted mean over equal-width confidence bins of |accuracy -
  mean confidence| of the predicted class; NaN without examples."""
  if len(labels) == 0:
    return float("nan")
  confidence, accuracy, count = _bin_statistics(probabilities, labels, num_bins)
  filled = count > 0
  return float(np.sum(count[filled] * np.abs(accuracy[filled] - confidence[filled]))
               / count.sum())


def reliability_bins(probabilities: np.ndarray, labels: np.ndarray,
                     num_bins: int = 15) -> dict[str, list]:
  """A reliability diagram's numbers: per equal-width confidence bin, its upper edge, the mean
  top-label `confidence` and `accuracy` of its examples (None when empty) and their `count`."""
  confidence, accuracy, count = _bin_statistics(probabilities, labels, num_bins)

  def listed(values):
    return [None if np.isnan(v) else float(v) for v in values]

  return {"upper_edge": [float(e) for e in np.linspace(0.0, 1.0, num_bins + 1)[1:]],
          "confidence": listed(confidence), "accuracy": listed(accuracy),
          "count": [int(c) for c in count]}


def fit_logistic(features: np.ndarray, targets: np.ndarray, weights: np.ndarray | None = None,
                 l2: float = 1e-2, prior: np.ndarray | None = None,
                 iterations: int = 50) -> np.ndarray:
  """Logistic regressions fitted by Newton's method, one per leading index (batched).

  Args:
    features: [G, N, D] inputs of G independent regressions (include a column of ones for an
      intercept).
    targets: [G, N] in [0, 1].
    weights: [G, N] example weights (0 leaves an example out, e.g. an unknown label); default 1.
    l2: strength of the Gaussian prior pulling the coefficients to `prior` (keeps a regression
      with few or separable examples finite), per unit of total weight.
    prior: [D] coefficients the prior centres on (default 0).
  Returns:
    [G, D] coefficients maximising the weighted log-likelihood minus l2/2 |w - prior|^2 x
    total weight.
  """
  x = np.asarray(features, np.float64)
  y = np.asarray(targets, np.float64)
  w = np.ones_like(y) if weights is None else np.asarray(weights, np.float64)
  num_groups, _, dims = x.shape
  centre = np.zeros(dims) if prior is None else np.asarray(prior, np.float64)
  strength = l2 * np.maximum(w.sum(1), 1.0)[:, None, None] * np.eye(dims)
  coefficients = np.tile(centre, (num_groups, 1))
  for _ in range(iterations):
    p = sigmoid(np.einsum("gnd,gd->gn", x, coefficients))
    gradient = (np.einsum("gnd,gn->gd", x, w * (p - y))
                + np.einsum("gde,ge->gd", strength, coefficients - centre))
    hessian = np.einsum("gnd,gn,gne->gde", x, w * p * (1 - p), x) + strength
    step = np.linalg.solve(hessian, gradient[..., None])[..., 0]
    coefficients -= step
    if np.max(np.abs(step)) < 1e-8:
      break
  return coefficients


def binary_calibration_error(probabilities: np.ndarray, labels: np.ndarray,
                             num_bins: int = 15) -> float:
  """ECE of binary probabilities (e.g. of every trait of every photo, flattened): the
  count-weighted mean over equal-width bins of p of |fraction positive - mean p|. NaN labels
  are left out; NaN when none is left."""
  p = np.asarray(probabilities, np.float64).ravel()
  y = np.asarray(labels, np.float64).ravel()
  known = np.isfinite(y)
  p, y = p[known], y[known]
  if len(p) == 0:
    return float("nan")
  bins = np.minimum((p * num_bins).astype(int), num_bins - 1)
  count = np.bincount(bins, minlength=num_bins)
  gap = np.abs(np.bincount(bins, y, num_bins) - np.bincount(bins, p, num_bins))
  return float(gap.sum() / count.sum())
