"""The open world: species trained on photos and species added from a description alone (their
rows) compete for every photo, and a photo that fits none of them is declined.

Everything here is fitted (`fit`) on the predictions of photos of trained species (a validation
split) against every row, the added ones included; no photo of an added species is read, so
nothing of one is fitted. Each constant is set by one `budget`, the validation accuracy it may
cost: of the validation photos named right among the trained species alone, it may turn at most
`budget` x (all validation photos) away from their right name (0.05: at most 5 points).

Routes (`ROUTES`), each a species per photo:
- `plain`: the highest logit among all rows.
- `calibrated_stacking` (Chao et al. 2016): the trained species' logits lowered by `shift`, the
  largest constant that sends no more of the validation photos named right to an added species
  than the budget allows.
- `gated`: the trust (`traitjax.trust`) first judges the photo named among the trained species
  alone; where its `combined` score falls below `gate` (the cut that as many of the validation
  photos named right fall below), the photo is named among the added species instead.

Every route then declines a photo whose traits fit the species it names worse than `decline`
(the trust's compatibility z-score as many of the validation photos named right fall below):
the photo fits no species known, trained or described (`trust.REASONS`' unknown_species).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax import trust as trust_lib
from traitjax.data import schema

ROUTES = ("plain", "calibrated_stacking", "gated")
# The share of the fit photos named right that each constant may cost, unless a config says.
DEFAULT_BUDGET = 0.05
DECLINE_REASON = trust_lib.REASONS["compatibility"]


@dataclasses.dataclass(frozen=True)
class OpenWorld:
  """Fitted routes (see the module docstring). `trained`: bool [S], the rows trained on
  photos; the others were added from descriptions."""

  trained: np.ndarray
  shift: float
  gate: float
  decline: float
  budget: float
  num_fit: int

  def name(self, route: str, species_logits: np.ndarray, trait_logits: np.ndarray,
           trust: trust_lib.Trust, table: schema.TraitTable) -> np.ndarray:
    """int [N]: the species each photo is named by `route` (one of `ROUTES`)."""
    logits = np.asarray(species_logits, np.float64)
    if route == "plain" or self.trained.all():
      return np.argmax(logits, -1)
    if route == "calibrated_stacking":
      return np.argmax(self.stacked(logits), -1)
    if route == "gated":
      among_added = _argmax_among(logits, ~self.trained)
      return np.where(gate_scores(trust, logits, trait_logits, table, self.trained) >= self.gate,
                      _argmax_among(logits, self.trained), among_added)
    raise ValueError(f"unknown open-world route {route!r}; known: {', '.join(ROUTES)}")

  def stacked(self, species_logits: np.ndarray) -> np.ndarray:
    """The logits calibrated stacking names by: the trained species' lowered by `shift`."""
    return np.asarray(species_logits, np.float64) - self.shift * self.trained

  def declined(self, named: np.ndarray, trait_logits: np.ndarray, trust: trust_lib.Trust,
               table: schema.TraitTable) -> np.ndarray:
    """bool [N]: the photos whose traits fit the species they are `named` too poorly."""
    return decline_scores(trust, trait_logits, table, named) > self.decline

  def to_json(self) -> dict:
    return {"shift": self.shift, "gate": self.gate, "decline": self.decline,
            "budget": self.budget, "num_fit": self.num_fit}


def fit(trust: trust_lib.Trust, predictions: dict, table: schema.TraitTable,
        trained: np.ndarray, budget: float) -> OpenWorld:
  """Routes fitted on `predictions` (species_logits over every row of `table`, trait_logits
  and the photos' species), all of photos of `trained` species; ValueError when one is not, or
  when `budget` lies outside (0, 1)."""
  trained = np.asarray(trained, bool)
  labels = np.asarray(predictions[schema.SPECIES])
  if not 0 < budget < 1:
    raise ValueError(f"open_world.budget must lie in (0, 1), got {budget}")
  if len(labels) == 0:
    raise ValueError("no photos to fit the open-world routes on")
  if not trained[labels].all():
    untrained = sorted({table.species[i] for i in labels[~trained[labels]]})
    raise ValueError(f"the open-world routes are fitted on photos of trained species only; "
                     f"{len(untrained)} species were not trained, e.g. {untrained[:3]}")
  logits = np.asarray(predictions["species_logits"], np.float64)
  trait_logits = predictions["trait_logits"]
  among_trained = _argmax_among(logits, trained)
  right = among_trained == labels
  allowed = int(np.floor(budget * len(labels)))  # Photos named right that a constant may cost.
  shift = gate = 0.0
  if not trained.all():
    margins = logits[:, trained].max(-1) - logits[:, ~trained].max(-1)
    # A photo goes to an added species where its margin falls below the shift.
    shift = _cut_below(margins[right], allowed, above=np.inf)
    gate = _cut_below(gate_scores(trust, logits, trait_logits, table, trained)[right], allowed,
                      above=np.inf)
  named = np.argmax(logits, -1)
  decline = -_cut_below(-decline_scores(trust, trait_logits, table, named)[named == labels],
                        allowed, above=np.inf)
  return OpenWorld(trained=trained, shift=float(shift), gate=float(gate), decline=float(decline),
                   budget=float(budget), num_fit=len(labels))


def gate_scores(trust: trust_lib.Trust, species_logits: np.ndarray, trait_logits: np.ndarray,
                table: schema.TraitTable, trained: np.ndarray) -> np.ndarray:
  """[N]: the trust's `combined` score of each photo named among the `trained` species alone:
  how surely it shows one of them."""
  rows = np.flatnonzero(trained)
  among_trained = dataclasses.replace(table, values=table.values[rows],
                                      species=tuple(table.species[i] for i in rows))
  return trust.scores(np.asarray(species_logits)[:, rows], trait_logits,
                      among_trained)["combined"]


def decline_scores(trust: trust_lib.Trust, trait_logits: np.ndarray, table: schema.TraitTable,
                   named: np.ndarray) -> np.ndarray:
  """[N]: minus the trust's compatibility z-score of each photo's traits with the row of the
  species it is `named`: higher = fits it worse."""
  return -trust.compatibility(trait_logits, table, named)


def _argmax_among(logits: np.ndarray, rows: np.ndarray) -> np.ndarray:
  """int [N]: the highest logit among the `rows` (bool [S])."""
  return np.argmax(np.where(rows, logits, -np.inf), -1)


def _cut_below(values: np.ndarray, allowed: int, above: float) -> float:
  """The largest cut with at most `allowed` of `values` strictly below it (`above` where all of
  them may be)."""
  ordered = np.sort(values)
  return float(ordered[allowed]) if allowed < len(ordered) else above
