"""Multi-photo identification: species top-1 from n photos of one species at once, their
organs as different as the photos allow (`metrics.multi_photo`)."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import calibration
from traitjax.metrics import multi_photo


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """For each n in `counts`, `queries_per_species` queries of n photos of each species of the
  split (seeded by `seed`; a species with fewer than n photos is skipped for that n, and
  counted), combined two ways: `trait_evidence` (a model whose species head reads traits: per
  trait the mean probability of the photos whose organ can show it, read once by the species
  head with the traits none can show as no evidence) and `mean_probabilities` (every model:
  the mean of the photos' species probabilities). `metrics.multi_photo.multi_photo_report`.
  On data without organs every photo shows every trait."""

  counts: tuple[int, ...] = (1, 2, 4)
  queries_per_species: int = 20
  seed: int = 0

  def __post_init__(self):
    super().__post_init__()
    if not self.counts or any(n < 1 for n in self.counts):
      raise ValueError(f"config.evals.{self.name}.counts must be numbers >= 1, got "
                       f"{self.counts}")
    if self.queries_per_species < 1:
      raise ValueError(f"config.evals.{self.name}.queries_per_species must be >= 1, got "
                       f"{self.queries_per_species}")

  def __call__(self, predictions, context):
    task, organs = context.task, context.organs
    photo_organs = predictions.get(schema.ORGAN) if organs is not None else None
    species_head = probabilities = shown = None
    if getattr(task, "species_reads_traits", False):
      probabilities = calibration.sigmoid(predictions["trait_logits"])
      shown = None if photo_organs is None else organs.shown(photo_organs)
      species_head = species_head_of(task, context.params)
    return multi_photo.multi_photo_report(
        predictions[schema.SPECIES], predictions["species_logits"], self.counts,
        self.queries_per_species, self.seed, organs=photo_organs,
        trait_probabilities=probabilities, shown=shown, species_head=species_head)


def species_head_of(task, params):
  """The species head the trait_evidence combination reads: (evidence [Q, T], shown bool
  [Q, T]) -> species logits [Q, S], the traits no photo shows read as no evidence
  (`task.species_logits_from_traits`), for a task whose species head reads traits."""

  def species_head(evidence, any_shown):
    return np.asarray(task.species_logits_from_traits(params, evidence, shown=any_shown))

  return species_head
