"""Degraded photos: how species accuracy, calibration and abstention hold up when the photos of a
split are blurred, darkened or partly out of view (`data.degrade`) at set strengths, against the
same photos clean."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax.data import degrade
from traitjax.data import schema
from traitjax.data import sources
from traitjax.evaluators import calibration as calibration_evaluator
from traitjax.metrics import calibration
from traitjax.metrics import classification
from traitjax.metrics import selective

IDENTIFY = "identify"
ABSTAIN = "abstain"


@dataclasses.dataclass(frozen=True)
class MaxProbabilityRule:
  """The abstention rule used where the evaluation offers no shared trust object
  (`context.trust`): species probabilities at a fitted `temperature`, and abstention on a photo
  whose highest probability is below `threshold` (inf: abstain on every photo). It answers as
  the trust object does."""

  temperature: float
  threshold: float

  def species_probabilities(self, species_logits: np.ndarray) -> np.ndarray:
    """float64 [N, S] softmax at `temperature`."""
    return calibration.softmax(species_logits, self.temperature)

  def decide(self, species_logits: np.ndarray, trait_logits: np.ndarray | None,
             table_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per photo "identify" or "abstain", and the reason ("" or "low_confidence")."""
    del trait_logits, table_values  # This rule reads the species probabilities alone.
    confident = self.species_probabilities(species_logits).max(-1) >= self.threshold
    return (np.where(confident, IDENTIFY, ABSTAIN),
            np.where(confident, "", "low_confidence"))


@dataclasses.dataclass(frozen=True)
class Degradation(calibration_evaluator.FitsOnSplit):
  """Species predictions on this split's photos degraded by each of `kinds` at each of
  `strengths` (one prediction pass each), and on the same photos clean.

  Reports, under `none` and under `<kind>` -> `"<strength>"` (e.g. `blur` -> `"0.5"`):
  `accuracy` (top-1), `ece` (top-label, 15 bins, of the calibrated species probabilities),
  `abstention_rate`, `selective_accuracy` (top-1 of the photos not abstained on; None when all
  are), `abstention_reasons` (count per reason) and `num_examples`. Probabilities and decisions
  come from `context.trust()` where the evaluation offers one (`abstention.rule` "trust");
  otherwise (`abstention.rule` "max_probability") from a `MaxProbabilityRule` fitted on
  `fit_split`: the NLL temperature, and the lowest max-probability threshold at which the fit
  split's accepted photos reach `target_accuracy` (`abstention` gives both and `num_fit`).

  Attributes:
    kinds: degradations, each one of `degrade.KINDS`.
    strengths: each in (0, 1].
    target_accuracy: the accuracy the fallback rule's threshold is chosen for, in (0, 1].
    max_examples: photos of the split used, spread evenly over it (0: all); the passes cost
      len(kinds) x len(strengths) times these photos.
  """

  kinds: tuple[str, ...] = degrade.KINDS
  strengths: tuple[float, ...] = (0.25, 0.5, 0.75)
  target_accuracy: float = 0.95
  max_examples: int = 0

  def __post_init__(self):
    super().__post_init__()
    field = f"config.evals.{self.name}"
    unknown = [kind for kind in self.kinds if kind not in degrade.KINDS]
    if unknown:
      raise ValueError(f"{field}.kinds must be among {degrade.KINDS}, got {unknown}")
    if any(not 0 < s <= 1 for s in self.strengths):
      raise ValueError(f"{field}.strengths must lie in (0, 1], got {self.strengths}")
    if not 0 < self.target_accuracy <= 1:
      raise ValueError(f"{field}.target_accuracy must lie in (0, 1], got "
                       f"{self.target_accuracy}")
    if self.max_examples < 0:
      raise ValueError(f"{field}.max_examples must be >= 0, got {self.max_examples}")

  def __call__(self, predictions, context):
    trust, abstention = self._trust(context)
    table_values = context.source.trait_table.values
    photos = sources.Subset.evenly_spaced(context.source, self.max_examples)
    chosen = np.isin(predictions[schema.INDEX], photos.indices)
    clean = {key: value[chosen] for key, value in predictions.items()
             if isinstance(value, np.ndarray)}
    report = {"abstention": abstention, "none": _measure(clean, trust, table_values)}
    for kind in self.kinds:
      report[kind] = {
          f"{strength:g}": _measure(
              context.predict_source(degrade.DegradedSource(photos, kind, strength)), trust,
              table_values)
          for strength in self.strengths}
    return classification.nans_to_none(report)

  def _trust(self, context) -> tuple[object, dict]:
    """The trust object and how it was chosen: `context.trust()`, else a MaxProbabilityRule
    fitted on `fit_split`."""
    shared = getattr(context, "trust", None)
    if shared is not None:
      return shared(), {"rule": "trust"}
    temperature, num_fit = self.fitted_temperature(context)
    fit = self.fit_predictions(context)
    probabilities = calibration.softmax(fit["species_logits"], temperature)
    correct = probabilities.argmax(-1) == fit[schema.SPECIES]
    threshold = selective.threshold_at_accuracy(probabilities.max(-1), correct,
                                                self.target_accuracy)
    return MaxProbabilityRule(temperature, threshold), {
        "rule": "max_probability", "temperature": temperature, "threshold": threshold,
        "target_accuracy": self.target_accuracy, "num_fit": num_fit}


def _measure(predictions: dict, trust, table_values: np.ndarray) -> dict:
  """accuracy, ece, abstention_rate, selective_accuracy, abstention_reasons and num_examples of
  one set of predictions under `trust`."""
  logits, labels = predictions["species_logits"], predictions[schema.SPECIES]
  probabilities = trust.species_probabilities(logits)
  correct = logits.argmax(-1) == labels
  decisions, reasons = trust.decide(logits, predictions.get("trait_logits"), table_values)
  identified = decisions == IDENTIFY
  abstained_reasons, counts = np.unique(reasons[~identified], return_counts=True)
  return {
      "accuracy": float(np.mean(correct)) if len(labels) else float("nan"),
      "ece": calibration.expected_calibration_error(probabilities, labels),
      "abstention_rate": float(np.mean(~identified)) if len(labels) else float("nan"),
      "selective_accuracy": float(np.mean(correct[identified])) if identified.any()
                            else float("nan"),
      "abstention_reasons": {str(r): int(c) for r, c in zip(abstained_reasons, counts)},
      "num_examples": int(len(labels)),
  }
