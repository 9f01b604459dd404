"""Species calibration: a temperature fitted on another split (`fit_split`), and the ECE, NLL,
Brier score and reliability bins of this split before and after it. `FitsOnSplit` is what the
trust evaluators share: reading the fit split and fitting the temperature on it."""

from __future__ import annotations

import dataclasses

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import calibration
from traitjax.metrics import classification


@dataclasses.dataclass(frozen=True)
class FitsOnSplit(base.Evaluator):
  """An evaluator fitted on the predictions of `fit_split` (e.g. a validation split) and
  measured on its own split."""

  fit_split: str = "val"

  def fit_predictions(self, context: base.Context) -> dict:
    """The predictions of `fit_split`; ValueError naming the field when it has none."""
    predictions = context.predictions_of(self.fit_split) if context.predictions_of else None
    if predictions is None or len(predictions.get(schema.SPECIES, ())) == 0:
      raise ValueError(f"config.evals.{self.name}.fit_split: split {self.fit_split!r} has no "
                       "examples to fit on")
    return predictions

  def fitted_temperature(self, context: base.Context) -> tuple[float, int]:
    """The species temperature minimising the NLL on `fit_split`, and its number of
    examples."""
    fit = self.fit_predictions(context)
    temperature = calibration.fit_temperature(fit["species_logits"], fit[schema.SPECIES])
    return temperature, len(fit[schema.SPECIES])


@dataclasses.dataclass(frozen=True)
class Calibration(FitsOnSplit):
  """Top-label ECE (15 bins), NLL and Brier score of the species probabilities of this split
  at temperature 1 (`*_before`) and at the `temperature` fitted on `fit_split` (`*_after`),
  `num_fit` (the fit split's examples) and `reliability` (`before`/`after`: per confidence bin
  its upper edge, mean confidence, accuracy and count)."""

  def __call__(self, predictions, context):
    temperature, num_fit = self.fitted_temperature(context)
    logits, labels = predictions["species_logits"], predictions[schema.SPECIES]
    report = {"temperature": temperature, "num_fit": num_fit, "reliability": {}}
    for when, t in (("before", 1.0), ("after", temperature)):
      probabilities = calibration.softmax(logits, t)
      report[f"ece_{when}"] = calibration.expected_calibration_error(probabilities, labels)
      report[f"nll_{when}"] = calibration.negative_log_likelihood(probabilities, labels)
      report[f"brier_{when}"] = calibration.brier_score(probabilities, labels)
      report["reliability"][when] = calibration.reliability_bins(probabilities, labels)
    return classification.nans_to_none(report)
