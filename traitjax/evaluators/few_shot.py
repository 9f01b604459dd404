"""Species never trained, named from their table rows refined by a few of their photos
(few-shot), scored with the seen species' photos too."""

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
  `prior_strength` photos), and every photo of the split that is nobody's shot, seen species'
  included, is scored with the refined rows and, on the same photos, with the unrefined ones.

  Per n, `metrics.zeroshot.zeroshot_report` after refinement (unseen_top1, and where the split
  holds seen photos seen_accuracy, unseen_accuracy, harmonic_mean, ausuc: per-class means), the
  same before it under `zeroshot`, and num_scored. A refined row can take seen photos as well
  as win unseen ones: seen_accuracy after against before says what adding a species costs.
  """

  split: str = "zeroshot"
  shots: tuple[int, ...] = (1, 5)
  prior_strength: float = 2.0

  # The scores of zeroshot_report kept per n (those present: seen ones need seen photos).
  KEPT = ("unseen_top1", "seen_accuracy", "unseen_accuracy", "harmonic_mean", "ausuc")

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
    report = {}
    for n in self.shots:
      refined = np.array(table, np.float32)
      is_shot = np.zeros(len(labels), bool)
      for row in np.flatnonzero(~seen_species):
        photos = np.flatnonzero(labels == row)
        if len(photos) > n:
          is_shot[photos[:n]] = True
          refined[row] = species_model.few_shot_row(table[row], probabilities[photos[:n]],
                                                    self.prior_strength)
      scored = ~is_shot
      if not is_shot.any() or seen_species[labels[scored]].all():
        continue  # No row refined, or no unseen photo left to score.
      report[f"{n}_shot"] = {
          "num_scored": int(scored.sum()),
          **self._scores(context, refined, probabilities[scored], labels[scored], seen_species),
          "zeroshot": self._scores(context, table, probabilities[scored], labels[scored],
                                   seen_species)}
    return report

  def _scores(self, context, rows, probabilities, labels, seen_species) -> dict:
    """`KEPT` of the photos with trait `probabilities` [N, T] and `labels` [N], named among
    `rows` [S, T]."""
    logits = np.asarray(context.task.species_logits_from_traits(
        context.params, probabilities, rows))
    scores = zeroshot.zeroshot_report(logits, labels, seen_species)
    return {name: scores[name] for name in self.KEPT if name in scores}
