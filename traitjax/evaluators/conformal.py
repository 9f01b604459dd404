"""Conformal species sets: split conformal with randomised APS (`metrics.conformal`),
calibrated on `fit_split`."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax.data import schema
from traitjax.evaluators import calibration as calibration_evaluator
from traitjax.metrics import calibration
from traitjax.metrics import classification
from traitjax.metrics import conformal

# The uniform draws of randomised APS: fixed, so a report is reproducible.
SEED = 0


@dataclasses.dataclass(frozen=True)
class Conformal(calibration_evaluator.FitsOnSplit):
  """Species sets meant to hold the true species of 1 - `alpha` of photos like `fit_split`'s:
  randomised APS on the species softmax (temperature 1), its threshold the conformal quantile
  of `fit_split`'s scores. Reports `coverage` and `mean_set_size` on this split (overall and
  `by_frequency_bin`), `alpha`, `threshold` (None: too few fit examples for 1 - alpha, every
  set holds every species) and `num_fit`. Sets may be empty (randomised APS)."""

  alpha: float = 0.05

  def __post_init__(self):
    super().__post_init__()
    if not 0 < self.alpha < 1:
      raise ValueError(f"config.evals.{self.name}.alpha must be in (0, 1), got {self.alpha}")

  def __call__(self, predictions, context):
    fit = self.fit_predictions(context)
    rng = np.random.default_rng(SEED)
    scores = conformal.aps_scores(calibration.softmax(fit["species_logits"]),
                                  fit[schema.SPECIES], rng)
    threshold = conformal.aps_threshold(scores, self.alpha)
    labels = predictions[schema.SPECIES]
    sets = conformal.aps_sets(calibration.softmax(predictions["species_logits"]), threshold, rng)
    report = {**conformal.set_report(sets, labels), "alpha": self.alpha,
              "threshold": threshold, "num_fit": len(scores)}
    bins = classification.frequency_bins(context.task.species_train_counts)[labels]
    report["by_frequency_bin"] = {
        name: conformal.set_report(sets[bins == name], labels[bins == name])
        for name in ("head", "mid", "tail") if np.any(bins == name)}
    return classification.nans_to_none(report)
