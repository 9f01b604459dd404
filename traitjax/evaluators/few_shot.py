"""Species never trained, named from their table rows refined by a few of their photos
(few-shot)."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import calibration
from traitjax.metrics import zeroshot
from traitjax.models import species as species_model


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """For each n in `shots`, each unseen species' table row is refined by the detected trait
  probabilities of its first n photos (`species.few_shot_row`, the row counting as
  `prior_strength` photos), and the split's photos of unseen species that are nobody's shots
  are scored, against the unrefined rows on the same photos.

  Per n: unseen_top1 (among the unseen species), unseen_top1_generalized (among all), the same
  two with the unrefined rows (`zeroshot_*`), num_scored, and seen_odds_max_change: the largest
  change of any photo's softmax over the seen species alone (only unseen rows change, so the
  odds among the seen species stay put up to rounding).
  """

  split: str = "zeroshot"
  shots: tuple[int, ...] = (1, 5)
  prior_strength: float = 2.0

  def __post_init__(self):
    super().__post_init__()
    if not self.shots or any(n < 1 for n in self.shots):
      raise ValueError(f"config.evals.{self.name}.shots must be numbers >= 1, got {self.shots}")

  def unavailable(self, task):
    if getattr(task, "species_table", None) is None:
      return "its species head reads no table rows (model.species_head=table or cosine does)"
    return None

  def __call__(self, predictions, context):
    task = context.task
    table = task.species_table
    labels = predictions[schema.SPECIES]
    probabilities = calibration.sigmoid(predictions["trait_logits"])
    seen_species = np.asarray(context.source.seen_species, bool)
    unseen_rows = np.flatnonzero(~seen_species)
    report = {}
    for n in self.shots:
      refined = np.array(table, np.float32)
      is_shot = np.zeros(len(labels), bool)
      for row in unseen_rows:
        photos = np.flatnonzero(labels == row)
        if len(photos) > n:
          is_shot[photos[:n]] = True
          refined[row] = species_model.few_shot_row(table[row], probabilities[photos[:n]],
                                                    self.prior_strength)
      scored = ~is_shot & ~seen_species[labels]
      if not scored.any() or not is_shot.any():
        continue
      before = np.asarray(task.species_logits_from_traits(
          context.params, probabilities[scored], table))
      after = np.asarray(task.species_logits_from_traits(
          context.params, probabilities[scored], refined))
      result = {"num_scored": int(scored.sum())}
      for prefix, logits in (("zeroshot_", before), ("", after)):
        scores = zeroshot.zeroshot_report(logits, labels[scored], seen_species)
        result[f"{prefix}unseen_top1"] = scores["unseen_top1"]
        result[f"{prefix}unseen_top1_generalized"] = scores["unseen_top1_generalized"]
      result["seen_odds_max_change"] = float(np.abs(
          calibration.softmax(after[:, seen_species])
          - calibration.softmax(before[:, seen_species])
      ).max())
      report[f"{n}_shot"] = result
    return report
