"""Multi-photo identification: species top-1 from n photos of one species at once, their
organs as different as the photos allow, every n on the same species, trait evidence pooled or
species probabilities averaged, with and without organ gating (`metrics.multi_photo`)."""

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
  split with at least max(counts) photos (the same species for every n; the others are left
  out, and counted), seeded by `seed`, combined four ways (`metrics.multi_photo.COMBINATIONS`):

  - pooled_gated / pooled_ungated (a model whose species head reads traits): per trait the
    mean probability of the photos, read once by the species head; gated: only the photos
    whose organ can show the trait, the traits none can show read as no evidence; ungated:
    every photo, every trait.
  - mean_gated / mean_ungated: the mean of the photos' species probabilities; ungated: the
    model's own (every model, a black box included); gated (a model whose species head reads
    traits): each photo's read by the species head with the traits its organ cannot show as no
    evidence.

  On data without organs gating changes nothing and only the ungated ones are reported. Each
  top-1 has a 95% bootstrap interval over species (1000 resamples, seeded by `seed`), and the
  paired differences (e.g. pooled_gated_minus_mean_ungated) intervals on the same resamples.
  `metrics.multi_photo.multi_photo_report`; the report also names the kept species
  (`species_names`) where the split's source has a trait table."""

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
    report = multi_photo.multi_photo_report(
        predictions[schema.SPECIES], predictions["species_logits"], self.counts,
        self.queries_per_species, self.seed, organs=photo_organs,
        trait_probabilities=probabilities, shown=shown, species_head=species_head)
    table = getattr(context.source, "trait_table", None)
    if table is not None:
      report["species_names"] = [str(table.species[k]) for k in report["species"]]
    return report


def species_head_of(task, params):
  """The species head the pooled and gated combinations read: (trait probabilities [Q, T],
  shown bool [Q, T]) -> species logits [Q, S], the traits not shown read as no evidence
  (`task.species_logits_from_traits`), for a task whose species head reads traits."""

  def species_head(evidence, any_shown):
    return np.asarray(task.species_logits_from_traits(params, evidence, shown=any_shown))

  return species_head
