"""Degraded photos: how species accuracy, calibration and abstention hold up when the photos of a
split are blurred, darkened or partly out of view (`data.degrade`) at set strengths, against the
same photos clean."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax import trust as trust_lib
from traitjax.data import degrade
from traitjax.data import schema
from traitjax.data import sources
from traitjax.evaluators import base
from traitjax.metrics import calibration
from traitjax.metrics import classification
from traitjax.metrics import selective


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """Species predictions on this split's photos degraded by each of `kinds` at each of
  `strengths` (one prediction pass each), and on the same photos clean.

  Reports, under `none` and under `<kind>` -> `"<strength>"` (e.g. `blur` -> `"0.5"`):
  `accuracy` (top-1), `ece` (top-label, 15 bins, of the calibrated species probabilities), and
  the trust's decisions (`metrics.selective.decision_summary`: `abstention_rate`,
  `selective_accuracy`, the count of each abstention reason, `num_examples`), all with the
  trust of the evaluation: fitted on clean photos, applied unchanged to degraded ones.

  Attributes:
    kinds: degradations, each one of `degrade.KINDS`.
    strengths: each in (0, 1].
    max_examples: photos of the split used, spread evenly over it (0: all); the passes cost
      len(kinds) x len(strengths) times these photos.
  """

  kinds: tuple[str, ...] = degrade.KINDS
  strengths: tuple[float, ...] = (0.25, 0.5, 0.75)
  max_examples: int = 0
  needs_trust = True

  def __post_init__(self):
    super().__post_init__()
    field = f"config.evals.{self.name}"
    unknown = [kind for kind in self.kinds if kind not in degrade.KINDS]
    if unknown:
      raise ValueError(f"{field}.kinds must be among {degrade.KINDS}, got {unknown}")
    if any(not 0 < s <= 1 for s in self.strengths):
      raise ValueError(f"{field}.strengths must lie in (0, 1], got {self.strengths}")
    if self.max_examples < 0:
      raise ValueError(f"{field}.max_examples must be >= 0, got {self.max_examples}")

  def __call__(self, predictions, context):
    trust, table = context.trust(), context.table
    photos = sources.Subset.evenly_spaced(context.source, self.max_examples)
    chosen = np.isin(predictions[schema.INDEX], photos.indices)
    clean = {key: value[chosen] for key, value in predictions.items()
             if isinstance(value, np.ndarray)}
    report = {"none": _measure(clean, trust, table)}
    for kind in self.kinds:
      report[kind] = {
          f"{strength:g}": _measure(
              context.predict_source(degrade.DegradedSource(photos, kind, strength)), trust,
              table)
          for strength in self.strengths}
    return classification.nans_to_none(report)


def _measure(predictions: dict, trust, table) -> dict:
  """accuracy, ece and the decision summary of one set of predictions under `trust`."""
  logits, labels = predictions["species_logits"], predictions[schema.SPECIES]
  correct = logits.argmax(-1) == labels
  decisions, reasons = trust.decide(logits, predictions["trait_logits"], table)
  return {
      "accuracy": float(np.mean(correct)) if len(labels) else float("nan"),
      "ece": calibration.expected_calibration_error(trust.species_probabilities(logits), labels),
      **selective.decision_summary(decisions == trust_lib.IDENTIFY, reasons, correct),
  }
