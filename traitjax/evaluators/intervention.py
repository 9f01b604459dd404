"""Test-time intervention: species top-1 with each photo's k most uncertain traits set to their
truth, as a person who checks them would.

Two truths (`TRUTHS`): `traits_visible`, each photo's own visible traits (per-photo truth, where
the data has it: the synthetic flora), what a person looking at the photo would say; and
`species_row`, the species' own table row, which is the label itself: correcting every trait to
it hands the species head the answer, so its curve is an oracle, not a property of the model.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import classification

# The truth a corrected trait is set to -> the batch field holding it.
SPECIES_ROW = "species_row"
TRUTHS = {schema.TRAITS_VISIBLE: schema.TRAITS_VISIBLE, SPECIES_ROW: schema.TRAITS}
# The truths that are the label itself: their curves are oracles.
ORACLES = (SPECIES_ROW,)


def corrected_probabilities(probabilities, truth, k: int) -> jax.Array:
  """Trait probabilities [N, T] with each photo's k most uncertain traits (probability nearest
  0.5, ties by trait order) among those whose `truth` [N, T] is known (not NaN) set to it."""
  truth = jnp.asarray(truth)
  known = jnp.isfinite(truth)
  uncertainty_order = jnp.argsort(
      jnp.where(known, jnp.abs(probabilities - 0.5), jnp.inf), axis=-1)
  rank = jnp.argsort(uncertainty_order, axis=-1)  # 0 = the most uncertain trait
  return jnp.where(known & (rank < k), jnp.nan_to_num(truth), probabilities)


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """For each k in `ks`, species top-1 after each photo's k most uncertain traits (probability
  nearest 0.5, among those whose truth is known) are set to `truth` (a key of `TRUTHS`:
  `traits_visible`, the photo's own visible traits, or `species_row`, the oracle); k beyond
  the trait count corrects every trait. The report names its `truth` and whether it is an
  `oracle`. With a table species head, also `nearest_row_top1`, the ceiling of reading the
  table (against `species_row` it only says whether the species' rows differ)."""

  ks: tuple[int, ...] = (0, 1, 2, 4, 8, 16)
  truth: str = schema.TRAITS_VISIBLE

  def __post_init__(self):
    super().__post_init__()
    if self.truth not in TRUTHS:
      raise ValueError(
          f"config.evals.{self.name}.truth must be {schema.TRAITS_VISIBLE!r} (each photo's own "
          f"visible traits) or {SPECIES_ROW!r} (oracle: the species' own table row), "
          f"got {self.truth!r}")
    if not self.ks or any(k < 0 for k in self.ks):
      raise ValueError(f"config.evals.{self.name}.ks must be numbers >= 0, got {self.ks}")

  def unavailable(self, task):
    if not getattr(task, "species_reads_traits", False):
      return "its species head does not read the traits"
    return None

  def __call__(self, predictions, context):
    task, species = context.task, predictions[schema.SPECIES]
    truth = predictions[TRUTHS[self.truth]]
    probabilities = jax.nn.sigmoid(jnp.asarray(predictions["trait_logits"], jnp.float32))
    top1 = []
    for k in self.ks:
      corrected = corrected_probabilities(probabilities, truth, k)
      logits = np.asarray(task.species_logits_from_traits(context.params, corrected))
      top1.append(classification.top_k_accuracy(logits, species, 1))
    report = {"truth": self.truth, "oracle": self.truth in ORACLES,
              "k": [int(k) for k in self.ks], "species_top1": top1}
    if task.species_table is not None:
      report["nearest_row_top1"] = classification.nearest_row_top1(
          truth, task.species_table, species)
    return report
