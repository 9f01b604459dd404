"""Conformal species sets: split conformal with randomised APS (`metrics.conformal`), its
threshold fitted with the evaluation's trust (`traitjax.trust`, alpha from config.trust)."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import classification
from traitjax.metrics import conformal

# The uniform draws of randomised APS: fixed, so a report is reproducible.
SEED = 0


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """Species sets meant to hold the true species of 1 - alpha of photos like the trust fit
  split's: randomised APS on the calibrated species probabilities. Reports `coverage` and
  `mean_set_size` on this split (overall and `by_frequency_bin`), `alpha`, `threshold` (None:
  too few fit examples for 1 - alpha, every set holds every species) and `num_fit`. Sets may
  be empty (randomised APS)."""

  needs_trust = True

  def __call__(self, predictions, context):
    trust = context.trust()
    labels = predictions[schema.SPECIES]
    sets = trust.prediction_sets(predictions["species_logits"], np.random.default_rng(SEED))
    report = {**conformal.set_report(sets, labels), "alpha": trust.alpha,
              "threshold": trust.conformal_threshold, "num_fit": trust.num_fit}
    bins = classification.frequency_bins(context.task.species_train_counts)[labels]
    report["by_frequency_bin"] = {
        name: conformal.set_report(sets[bins == name], labels[bins == name])
        for name in ("head", "mid", "tail") if np.any(bins == name)}
    return classification.nans_to_none(report)
