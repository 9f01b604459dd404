"""Part discovery: slots named by the known traits they predict."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import parts


def _truth_field(predictions) -> str:
  """The per-photo truth where the data has it, else the species' table rows."""
  return (schema.TRAITS_VISIBLE if np.isfinite(predictions[schema.TRAITS_VISIBLE]).any()
          else schema.TRAITS)


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """Each slot named by the known traits it predicts best (`metrics.parts.slot_trait_names`,
  against the per-photo truth where the data has it, else against the table rows; `truth` says
  which): a trait names the slot with its highest AUC when that reaches `auc_threshold`, at most
  `top` names a slot; `new_trait_candidates` are the slots no known trait names. The slots
  are chosen on the photos of `choose_split` (e.g. "val") and the AUCs reported are this
  split's, so a test report is not the best of K on test; "" chooses on this split itself
  (optimistic). `chosen_on` names the split that chose."""

  auc_threshold: float = 0.75
  top: int = 3
  choose_split: str = ""

  def other_splits(self):
    return {"choose_split": self.choose_split} if self.choose_split else {}

  def unavailable(self, task):
    return base.without_slots(task)

  def __call__(self, predictions, context):
    truth_field = _truth_field(predictions)
    chosen_by, chosen_on = None, self.choose_split or self.split
    if self.choose_split and self.choose_split != self.split:
      choosing = context.predictions_of(self.choose_split)
      if _truth_field(choosing) != truth_field:
        raise ValueError(f"config.evals.{self.name}: split {self.choose_split!r} has another "
                         f"trait truth than {self.split!r} ({truth_field})")
      chosen_by = parts.slot_trait_aucs(choosing["slot_trait_logits"], choosing[truth_field])
    names = parts.slot_trait_names(
        predictions["slot_trait_logits"], predictions[truth_field], context.task.trait_names,
        self.auc_threshold, self.top, chosen_by=chosen_by)
    return {"truth": truth_field, "chosen_on": chosen_on, "auc_threshold": self.auc_threshold,
            "slots": names,
            "new_trait_candidates": [name["slot"] for name in names
                                     if name["candidate_new_trait"]]}
