"""Part discovery: slots named by the known traits they predict."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import parts


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """Each slot named by the known traits it predicts best (`metrics.parts.slot_trait_names`,
  against the per-photo truth where the data has it, else against the table rows; `truth` says
  which): a trait names the slot with its highest AUC when that reaches `auc_threshold`, at most
  `top` names a slot; `new_trait_candidates` are the slots no known trait names."""

  auc_threshold: float = 0.75
  top: int = 3

  def unavailable(self, task):
    return base.without_slots(task)

  def __call__(self, predictions, context):
    truth_field = (schema.TRAITS_VISIBLE if np.isfinite(predictions[schema.TRAITS_VISIBLE]).any()
                   else schema.TRAITS)
    names = parts.slot_trait_names(
        predictions["slot_trait_logits"], predictions[truth_field], context.task.trait_names,
        self.auc_threshold, self.top)
    return {"truth": truth_field, "auc_threshold": self.auc_threshold, "slots": names,
            "new_trait_candidates": [name["slot"] for name in names
                                     if name["candidate_new_trait"]]}
