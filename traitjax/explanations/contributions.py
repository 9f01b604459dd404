"""Exact per-trait contributions to the species logits of the species heads that read traits.

For trait probabilities p [N, T] (NaN = not observed) and a head's parameters,
`head_contributions` gives per_trait [N, S, T] and bias [N, S] whose sum over traits plus the
bias is the head's species logits (up to float rounding). Each trait's contribution is what it
adds over not knowing it:

  linear (a dense layer):           per_trait = w[t, k] (p_t - 0.5),
                                    bias = b_k + 0.5 sum_t w[t, k]; 0.5 is the linear head's
                                    unknown trait (it takes no NaN; independent mode trains an
                                    empty cell as 0.5).
  table (`species.TraitToSpecies`): per_trait = temperature (p_t log q[k, t]
                                    + (1 - p_t) log(1 - q[k, t])), 0 for an unobserved trait;
                                    bias = 0.
  cosine (`species.CenteredCosine`): per_trait = scale (p_t - c_t)(r[k, t] - c_t)
                                    / max(|p - c| |r_k - c|, EPSILON), both norms over the
                                    traits the photo shows and 0 for an empty cell, as the
                                    module computes them; bias = 0.

Raw contributions answer "how much does trait t add to species k's logit", which for the table
head is never positive (a log-likelihood). Species probabilities are a softmax, blind to what
every species gets alike, so `relative_to_mean_species` takes each trait's contribution about
its mean over the species of the table: positive when the trait makes species k likelier than
the average species, negative when less likely. The difference between two species is the same
either way, and the sum stays exact (the mean moves into the bias, equal for every species).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from traitjax.metrics import calibration
from traitjax.models import cbm
from traitjax.models import species


# What the linear species head reads as an unknown trait.
UNKNOWN_LINEAR = 0.5


class Contributions(NamedTuple):
  """per_trait float64 [N, S, T] and bias float64 [N, S]; per_trait.sum(-1) + bias are the
  species logits."""

  per_trait: np.ndarray
  bias: np.ndarray

  def logits(self) -> np.ndarray:
    """[N, S], the species logits they add up to."""
    return self.per_trait.sum(-1) + self.bias


def head_contributions(species_head: str, head_params, trait_probabilities,
                       table=None) -> Contributions:
  """The exact per-trait contributions of a species head (see the module docstring).

  Args:
    species_head: `linear`, `table` or `cosine` (`cbm.SPECIES_HEADS`).
    head_params: the head's parameters (`params["species_head"]` of a `ConceptBottleneck`).
    trait_probabilities: float [N, T]; NaN = not observed (not for the linear head).
    table: float [S, T] species rows (NaN = empty cell), for the table and cosine heads.

  Returns:
    Contributions with per_trait [N, S, T] and bias [N, S].
  """
  p = np.asarray(trait_probabilities, np.float64)
  if p.ndim != 2:
    raise ValueError(f"trait_probabilities must be [N, T], got shape {p.shape}")
  if species_head == "linear":
    kernel = np.asarray(head_params["kernel"], np.float64)  # [T, S]
    if np.isnan(p).any():
      raise ValueError("trait_probabilities: the linear species head takes no NaN")
    per_trait = (p - UNKNOWN_LINEAR)[:, None, :] * kernel.T[None]
    bias = np.asarray(head_params["bias"], np.float64) + UNKNOWN_LINEAR * kernel.sum(0)
    return Contributions(per_trait, np.broadcast_to(bias, per_trait.shape[:2]).copy())
  if species_head not in cbm.TABLE_HEADS:
    raise ValueError(f"species_head: unknown {species_head!r}; known: {cbm.SPECIES_HEADS}")
  if table is None:
    raise ValueError(f"table: the {species_head} species head reads the species rows")
  table = np.asarray(table, np.float64)
  if table.ndim != 2 or table.shape[1] != p.shape[1]:
    raise ValueError(f"table: expected [S, {p.shape[1]}], got shape {table.shape}")
  observed = np.isfinite(p)
  filled = np.isfinite(table)
  if species_head == "table":
    sensitivity = calibration.sigmoid(head_params["sensitivity"])
    false_alarm = calibration.sigmoid(head_params["false_alarm"])
    present = np.where(filled, table, calibration.sigmoid(head_params["empty_cell"]))
    fires = np.clip(present * sensitivity + (1 - present) * false_alarm,
                    species.EPSILON, 1 - species.EPSILON)  # q [S, T]
    temperature = np.exp(np.asarray(head_params["log_temperature"], np.float64))
    p_present = np.where(observed, p, 0.0)[:, None, :]
    p_absent = np.where(observed, 1 - p, 0.0)[:, None, :]
    per_trait = temperature * (p_present * np.log(fires) + p_absent * np.log1p(-fires))
  else:
    centre = np.asarray(head_params["centre"], np.float64)
    scale = np.exp(np.asarray(head_params["log_scale"], np.float64))
    rows = np.where(filled, table - centre, 0.0)  # [S, T]
    detections = np.where(observed, p - centre, 0.0)  # [N, T]
    row_norms = np.sqrt(observed.astype(np.float64) @ (rows ** 2).T)  # [N, S]
    detection_norms = np.linalg.norm(detections, axis=-1, keepdims=True)  # [N, 1]
    norms = np.maximum(detection_norms * row_norms, species.EPSILON)
    per_trait = scale * detections[:, None, :] * rows[None] / norms[..., None]
  return Contributions(per_trait, np.zeros(per_trait.shape[:2]))


def relative_to_mean_species(contributions: Contributions) -> Contributions:
  """Each trait's contribution about its mean over the species (see the module docstring);
  the mean goes into the bias, so the logits they add up to are unchanged."""
  mean = contributions.per_trait.mean(axis=1, keepdims=True)  # [N, 1, T]
  return Contributions(contributions.per_trait - mean,
                       contributions.bias + mean.sum(-1))


def task_contributions(task, params, trait_probabilities, table=None) -> Contributions | None:
  """The exact contributions of `task`'s species head (read from `params["species_head"]`) on
  trait probabilities [N, T], reading `table` [S, T] (default: the task's own) for the heads
  that read rows; None where the species are not decided from the traits (the black box, whose
  trait head is a probe, and slot models)."""
  if not getattr(task, "species_reads_traits", False):
    return None
  if table is None:
    table = task.species_table
  return head_contributions(task.model.species_head, params["species_head"],
                            trait_probabilities, table)


def contributions_to(task, params, trait_probabilities, species, table=None,
                     chunk_size: int = 256) -> np.ndarray | None:
  """float64 [N, T]: each photo's trait contributions to one species of its own, `species` int
  [N], about the mean species (`relative_to_mean_species` of `task_contributions`), computed
  `chunk_size` photos at a time (all species' contributions of a whole split may not fit in
  memory); None where the species are not decided from the traits."""
  if not getattr(task, "species_reads_traits", False):
    return None
  trait_probabilities = np.asarray(trait_probabilities)
  chunks = []
  for start in range(0, len(trait_probabilities), chunk_size):
    stop = start + chunk_size
    per_trait = relative_to_mean_species(task_contributions(
        task, params, trait_probabilities[start:stop], table)).per_trait
    chunks.append(per_trait[np.arange(len(per_trait)), np.asarray(species)[start:stop]])
  return np.concatenate(chunks) if chunks else np.zeros((0, trait_probabilities.shape[1]))
