"""Species never trained, named from their table rows alone (zero-shot)."""

from __future__ import annotations

import dataclasses

from absl import logging
import numpy as np

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import zeroshot


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """`metrics.zeroshot.zeroshot_report` of the split's photos of unseen species (and, where
  the split holds seen species too, the generalised scores, H and the seen-unseen curve), in
  per-class means with the per-photo ones beside them."""

  split: str = "zeroshot"

  def __call__(self, predictions, context):
    seen = np.asarray(context.source.seen_species, bool)
    if seen[predictions[schema.SPECIES]].all():
      logging.warning("evaluator %s: split %s holds no photo of an unseen species", self.name,
                      self.split)
      return None
    return zeroshot.zeroshot_report(predictions["species_logits"],
                                    predictions[schema.SPECIES], seen)
