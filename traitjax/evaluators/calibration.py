"""Calibration of the species and trait probabilities by the evaluation's trust fit
(`traitjax.trust`): the species temperature and the per-trait Platt scaling, measured on this
split before and after."""

from __future__ import annotations

import dataclasses

from traitjax import plots
from traitjax import trust as trust_lib
from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import calibration
from traitjax.metrics import classification


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """Top-label ECE (15 bins), NLL and Brier score of the species probabilities of this split
  at temperature 1 (`*_before`) and at the fitted `temperature` (`*_after`), `num_fit` (the
  fit split's examples), `reliability` (`before`/`after`: per confidence bin its upper edge,
  mean confidence, accuracy and count) and `traits`: the ECE of every trait probability
  against the trait truth (per photo where the data has it, else the species' row) before
  and after the per-trait calibration."""

  needs_trust = True

  def __call__(self, predictions, context):
    trust = context.trust()
    logits, labels = predictions["species_logits"], predictions[schema.SPECIES]
    report = {"temperature": trust.temperature, "num_fit": trust.num_fit, "reliability": {}}
    for when, t in (("before", 1.0), ("after", trust.temperature)):
      probabilities = calibration.softmax(logits, t)
      report[f"ece_{when}"] = calibration.expected_calibration_error(probabilities, labels)
      report[f"nll_{when}"] = calibration.negative_log_likelihood(probabilities, labels)
      report[f"brier_{when}"] = calibration.brier_score(probabilities, labels)
      report["reliability"][when] = calibration.reliability_bins(probabilities, labels)
    field, truth = trust_lib.trait_truth(predictions)
    report["traits"] = {
        "truth": field,
        "ece_before": calibration.binary_calibration_error(
            calibration.sigmoid(predictions["trait_logits"]), truth),
        "ece_after": calibration.binary_calibration_error(
            trust.trait_probabilities(predictions["trait_logits"]), truth)}
    return classification.nans_to_none(report)

  def figures(self, report):
    return {"reliability": plots.reliability_diagram(report)}
