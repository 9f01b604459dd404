"""Selective prediction: how well a confidence score ranks correct predictions above wrong ones,
as the risk-coverage curve and its areas (AURC; AUGRC, Traas et al. 2024), the accuracy kept at
a coverage and the coverage kept at an accuracy.

A prediction is accepted when its confidence is at least a threshold; examples of equal
confidence are accepted together, so the curve has one point per distinct confidence (from the
most confident down) and does not depend on the order of ties.
"""

from __future__ import annotations

import collections

import numpy as np

from traitjax.metrics import auc


def _thresholds(confidence: np.ndarray, correct: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """Each distinct confidence, from the highest down, as a threshold, with its coverage and
  risk (see `risk_coverage`)."""
  confidence = np.asarray(confidence, np.float64)
  wrong = ~np.asarray(correct, bool)
  if len(confidence) == 0:
    return np.zeros(0), np.zeros(0), np.zeros(0)
  order = np.argsort(-confidence, kind="stable")
  errors = np.cumsum(wrong[order])
  # The last example of each group of equal confidence ends a threshold.
  ends = np.flatnonzero(np.append(np.diff(confidence[order]) != 0, True))
  accepted = ends + 1
  return confidence[order][ends], accepted / len(confidence), errors[ends] / accepted


def risk_coverage(confidence: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """Coverage (fraction accepted) and risk (error rate among the accepted) at each distinct
  confidence threshold, coverage increasing to 1. Empty arrays without examples."""
  _, coverage, risk = _thresholds(confidence, correct)
  return coverage, risk


def _step_area(coverage: np.ndarray, values: np.ndarray) -> float:
  """The area under a curve that holds each value from the previous coverage to its own (with
  no ties: the mean over k = 1..N of the value with the k most confident accepted)."""
  if len(coverage) == 0:
    return float("nan")
  widths = np.diff(np.concatenate([[0.0], coverage]))
  return float(np.sum(widths * values))


def aurc(confidence: np.ndarray, correct: np.ndarray) -> float:
  """Area under the risk-coverage curve (lower is better); NaN without examples."""
  return _step_area(*risk_coverage(confidence, correct))


def augrc(confidence: np.ndarray, correct: np.ndarray) -> float:
  """Area under the generalized risk-coverage curve (Traas et al. 2024): the mean over
  coverage of the joint rate of "accepted and wrong" (errors accepted / all examples), so
  errors accepted early weigh no more than late ones (lower is better); NaN without examples."""
  coverage, risk = risk_coverage(confidence, correct)
  return _step_area(coverage, risk * coverage)


def accuracy_at_coverage(confidence: np.ndarray, correct: np.ndarray, coverage: float) -> float:
  """Accuracy among the accepted at the highest threshold accepting at least `coverage` of
  the examples; NaN without examples."""
  covered, risk = risk_coverage(confidence, correct)
  if len(covered) == 0:
    return float("nan")
  point = int(np.searchsorted(covered, coverage - 1e-12))
  return float(1.0 - risk[min(point, len(risk) - 1)])


def coverage_at_accuracy(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
  """The largest coverage whose accepted examples are at least `target` accurate (0 when no
  threshold reaches it); NaN without examples."""
  covered, risk = risk_coverage(confidence, correct)
  if len(covered) == 0:
    return float("nan")
  reaching = 1.0 - risk >= target - 1e-12
  return float(covered[reaching].max()) if reaching.any() else 0.0


def threshold_at_accuracy(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
  """The threshold of `coverage_at_accuracy`: the lowest confidence whose accepted examples
  (confidence at least it) are at least `target` accurate; inf (accept nothing) when none is;
  NaN without examples."""
  thresholds, _, risk = _thresholds(confidence, correct)
  if len(thresholds) == 0:
    return float("nan")
  reaching = 1.0 - risk >= target - 1e-12
  return float(thresholds[reaching][-1]) if reaching.any() else float("inf")


def roc_auc(confidence: np.ndarray, correct: np.ndarray) -> float:
  """ROC AUC of the confidence separating correct from wrong predictions (NaN when all are
  one or the other)."""
  return auc.binary_auc(confidence, np.asarray(correct, bool))


def decision_summary(identified: np.ndarray, reasons: np.ndarray, correct: np.ndarray) -> dict:
  """abstention_rate, selective_accuracy (of the photos `identified`), top1, the count of each
  abstention reason (`reasons` of the photos not identified) and num_examples."""
  identified = np.asarray(identified, bool)
  return {"abstention_rate": float(np.mean(~identified)) if len(correct) else float("nan"),
          "selective_accuracy": (float(np.mean(correct[identified])) if identified.any()
                                 else float("nan")),
          "top1": float(np.mean(correct)) if len(correct) else float("nan"),
          "reasons": dict(collections.Counter(reasons[~identified].tolist())),
          "num_examples": int(len(correct))}
