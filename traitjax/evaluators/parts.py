"""Part discovery: slots scored against keypoints."""

from __future__ import annotations

import dataclasses


from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import parts


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """`metrics.parts.part_discovery_report` of the slot masks against the keypoints, and whether
  the model has a background slot."""

  def unavailable(self, task):
    return base.without_slots(task)

  def __call__(self, predictions, context):
    model = context.task.model
    report = parts.part_discovery_report(
        predictions["masks"], predictions["centroids"], predictions["presence"],
        predictions[schema.PARTS], model.num_slots)
    return {**report, "background_slot": model.background_slot}
