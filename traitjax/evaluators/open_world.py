"""The open world (`traitjax.open_world`): photos of trained species and of species added from
their rows alone, each named among all rows by every route, and photos of species in neither
set declined."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax import open_world
from traitjax import trust as trust_lib
from traitjax.data import schema
from traitjax.data import settings
from traitjax.evaluators import base
from traitjax.metrics import auc
from traitjax.metrics import zeroshot


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """Each route of `open_world.ROUTES`, fitted on `fit_split` (photos of trained species) with
  `budget`, names this split's photos among every row. Under `routes.<name>`: seen_accuracy and
  unseen_accuracy (per-class means over the photos of trained and of added species; a declined
  photo counts as named), their `harmonic` mean, the share of each set's photos declined
  (`seen_declined`, `unseen_declined`) and of those it names right (`seen_right_declined`,
  `unseen_right_declined`: declined wrongly). The top level repeats `route`'s (the config's
  choice, made before any photo is seen), beside `closed_set_seen_accuracy` (the trained
  species' photos named among trained species alone).

  `unknown_species`: species of the split whose rows are withheld (positions "A:B" among the
  rows, or names): in neither set, their photos should be declined. Each route then reports
  `unknown_declined` and `decline_auroc`, the AUROC of its decline score ranking their photos
  above those of known species."""

  split: str = "test+zeroshot"
  fit_split: str = "val"
  route: str = "calibrated_stacking"
  budget: float = open_world.DEFAULT_BUDGET
  unknown_species: tuple[str, ...] | str = ()
  needs_trust = True

  def __post_init__(self):
    super().__post_init__()
    if self.route not in open_world.ROUTES:
      raise ValueError(f"config.evals.{self.name}.route: {self.route!r} is not one of "
                       f"{', '.join(open_world.ROUTES)}")

  def other_splits(self):
    return {"fit_split": self.fit_split}

  def __call__(self, predictions, context):
    table = context.table
    known = ~self._unknown_rows(table.species)
    kept = np.flatnonzero(known)
    trained = np.asarray(context.source.seen_species, bool)[kept]
    table = dataclasses.replace(table, values=table.values[kept],
                                species=tuple(table.species[i] for i in kept))
    position = np.cumsum(known) - 1  # Row -> row among the known ones.
    fit_predictions = context.predictions_of(self.fit_split)
    fit_predictions = {**fit_predictions,
                       "species_logits": fit_predictions["species_logits"][:, kept],
                       schema.SPECIES: position[fit_predictions[schema.SPECIES]]}
    trust = context.trust()
    if not known.all():  # The withheld rows must not shape the trust either.
      trust = trust_lib.fit(fit_predictions, table, trust.target_accuracy, trust.alpha)
    routes = open_world.fit(trust, fit_predictions, table, trained, self.budget)
    logits = predictions["species_logits"][:, kept]
    trait_logits = predictions["trait_logits"]
    labels = predictions[schema.SPECIES]
    unknown = ~known[labels]
    species = np.where(unknown, -1, position[labels])
    seen = ~unknown & trained[np.maximum(species, 0)]
    added = ~unknown & ~seen
    if not seen.any() or not added.any():
      raise ValueError(f"evaluator {self.name}: split {self.split} needs photos of trained and "
                       f"of added species, has {seen.sum()} and {added.sum()}")
    report = {}
    for route in open_world.ROUTES:
      named = routes.name(route, logits, trait_logits, trust, table)
      declined = routes.declined(named, trait_logits, trust, table)
      right = named == species
      seen_accuracy = zeroshot.per_class_accuracy(right[seen], species[seen])
      unseen_accuracy = zeroshot.per_class_accuracy(right[added], species[added])
      report[route] = {"seen_accuracy": seen_accuracy, "unseen_accuracy": unseen_accuracy,
                       "harmonic": zeroshot.harmonic_mean(seen_accuracy, unseen_accuracy),
                       "seen_declined": float(declined[seen].mean()),
                       "unseen_declined": float(declined[added].mean()),
                       "seen_right_declined": _share(declined, seen & right),
                       "unseen_right_declined": _share(declined, added & right),
                       "num_seen_right": int((seen & right).sum())}
      if unknown.any():
        score = open_world.decline_scores(trust, trait_logits, table, named)
        report[route].update(unknown_declined=float(declined[unknown].mean()),
                             decline_auroc=auc.binary_auc(score, unknown))
    closed = np.argmax(np.where(trained, logits, -np.inf), -1) == species
    return {**{key: report[self.route][key]
               for key in ("seen_accuracy", "unseen_accuracy", "harmonic")},
            "route": self.route,
            "closed_set_seen_accuracy": zeroshot.per_class_accuracy(closed[seen], species[seen]),
            "routes": report, "fitted": routes.to_json(),
            "num_seen_photos": int(seen.sum()), "num_unseen_photos": int(added.sum()),
            "num_unknown_photos": int(unknown.sum()),
            "num_seen_species": int(trained.sum()), "num_unseen_species": int((~trained).sum()),
            "num_unknown_species": int((~known).sum())}

  def _unknown_rows(self, names: tuple[str, ...]) -> np.ndarray:
    """bool [S]: the rows of `unknown_species`."""
    chosen = self.unknown_species
    if isinstance(chosen, str):
      chosen = settings.by_position(chosen, names, f"config.evals.{self.name}.unknown_species",
                                    "species names").tolist()
    else:
      settings.require_known(chosen, names, f"config.evals.{self.name}.unknown_species",
                             "the species table")
    return np.isin(np.asarray(names), list(chosen))


def _share(flags: np.ndarray, among: np.ndarray) -> float | None:
  """The share of the photos `among` that are `flags` (None without any)."""
  return float(flags[among].mean()) if among.any() else None
