"""What a trait does for a species, defined once: the explanation's text (`wording`), its JSON
(`records`: each listed trait's `role`), the bar chart's colours (`traitjax.explain.figures`)
and the gallery all read it from `role`.

A trait *supports* a species when its contribution to that species' score against the
comparison is positive, and *counts against* it when negative; it is *not used* where the
species decision does not read the traits (the black box, slot models) or where it adds
nothing (`NEGLIGIBLE`). The contribution is the trait's exact share of the species logit
(`contributions`); the comparison is the mean species of the table
(`contributions.relative_to_mean_species`), except for the traits that separate the first two
species, compared with the runner-up (`records`: `runner_up`), and those that separate the
first species from one the user names (`versus`).

A role is about the model, not about whether the photo and the species' description agree: a
trait the photo lacks, as the species is described, may still count against it (a linear head
that weighs "yellow belly" for every species), and the text then says both ("counts against
it: no yellow belly, like Northern Cardinal"; `wording`).
"""

from __future__ import annotations

import numpy as np

SUPPORTS = "supports"
COUNTS_AGAINST = "counts_against"
NOT_USED = "not_used"
ROLES = (SUPPORTS, COUNTS_AGAINST, NOT_USED)
# What a role is against: the mean species of the table, the runner-up, or a species the user
# names (`records`: `versus`).
MEAN_SPECIES, RUNNER_UP, VERSUS = "mean_species", "runner_up", "versus"

# Contributions this small are float rounding (a trait the head weighs alike for every species
# comes out about 1e-16 from zero against the mean species): they add nothing.
NEGLIGIBLE = 1e-9
# How the text names each role, as the opening of its sentence in a rationale.
SENTENCE_OPENINGS = {SUPPORTS: "Supports it", COUNTS_AGAINST: "Counts against it"}
# How a legend (figure titles, the gallery) names each role.
LEGEND_WORDS = {SUPPORTS: "supports", COUNTS_AGAINST: "counts against",
                NOT_USED: "not used by the decision"}
# The colour of each role in the figures and the gallery.
COLOURS = {SUPPORTS: "#2e7d32", COUNTS_AGAINST: "#c62828", NOT_USED: "#9e9e9e"}
COLOUR_NAMES = {SUPPORTS: "green", COUNTS_AGAINST: "red", NOT_USED: "grey"}


def roles_of(contributions) -> np.ndarray:
  """The role of each contribution (any shape; NaN: the decision reads no traits): SUPPORTS
  where it is positive, COUNTS_AGAINST where negative, NOT_USED where NaN or zero (within
  `NEGLIGIBLE`). The one definition (the module docstring); `role` is it for one value."""
  c = np.asarray(contributions, np.float64)
  return np.where(c > NEGLIGIBLE, SUPPORTS,
                  np.where(c < -NEGLIGIBLE, COUNTS_AGAINST, NOT_USED)).astype(object)


def role(contribution: float | None) -> str:
  """`roles_of` of one contribution to a species' score against the comparison (None: the
  decision reads no traits)."""
  return str(roles_of(np.nan if contribution is None else contribution))


def legend(roles: tuple[str, ...] = (SUPPORTS, COUNTS_AGAINST)) -> str:
  """"green: supports, red: counts against": the colours of `roles` in words."""
  return ", ".join(f"{COLOUR_NAMES[r]}: {LEGEND_WORDS[r]}" for r in roles)
