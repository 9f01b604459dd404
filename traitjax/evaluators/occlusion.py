"""Faithfulness in the image: hide the part a cited trait belongs to, and, as a control, a square
of the same size elsewhere in the photo; does the trait (and the species it supports) drop more
for its part? Needs part keypoints (CUB)."""

from __future__ import annotations

import dataclasses
import re

from absl import logging
import numpy as np

from traitjax.data import occlude
from traitjax.data import schema
from traitjax.data import sources
from traitjax.evaluators import base
from traitjax.explanations import contributions
from traitjax.explanations import maps
from traitjax.explanations import records
from traitjax.explanations import wording
from traitjax.metrics import calibration
from traitjax.metrics import classification
from traitjax.metrics import intervals

# Draws of a control square's centre before a photo's trait is left out (its part fills it).
CONTROL_DRAWS = 100


def trait_kind(trait: str) -> str:
  """What a trait says of its part: "color", "pattern", "shape", "length" or "size" (from its
  group's last word, as CUB names them: `has_wing_color` is a colour), else its group."""
  group = schema.group_of(trait)
  found = re.search(r"(color|pattern|shape|length|size)$", group)
  return found.group(1) if found else group


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """For each photo (`max_examples` spread over the split; 0: all) and each trait its
  explanation cites (`records.cited_traits`, at most `num_cited`) that it shows (probability
  >= 0.5) and whose part has a visible keypoint: the photo again with a square of `side` (a
  fraction of its side) hidden over that part (centred on its visible keypoints), and with one
  hidden at a random centre (by `seed`) at least `side` from every one of them (the control).

  Reports, overall and `by_kind` (`trait_kind`: colour, pattern, shape...): `num_tests`, the
  mean drop of the trait's probability with its part hidden (`trait_drop_part`) and with the
  control hidden (`trait_drop_control`), their paired difference with a 95% bootstrap interval
  over the tests (`trait_drop_difference`, `..._interval`), and the same for the probability of
  the predicted species (`species_drop_*`). A faithful explanation cites traits read from
  their parts: the part's drop well above the control's.
  """

  num_cited: int = 3
  side: float = 0.25
  max_examples: int = 0
  min_odds: float = wording.DEFAULT_MIN_ODDS
  seed: int = 0

  batch_fields = (schema.PARTS,)

  def __post_init__(self):
    super().__post_init__()
    field = f"config.evals.{self.name}"
    if not 0 < self.side < 1:
      raise ValueError(f"{field}.side must lie in (0, 1), got {self.side}")
    if self.num_cited < 1 or self.max_examples < 0:
      raise ValueError(f"{field}: num_cited must be >= 1 and max_examples >= 0, got "
                       f"{self.num_cited} and {self.max_examples}")

  def __call__(self, predictions, context):
    source, table = context.source, context.table
    if not getattr(source, "part_names", ()):
      logging.warning("evaluator %s: split %s has no part keypoints", self.name, self.split)
      return None
    photos = sources.Subset.evenly_spaced(source, self.max_examples)
    chosen = np.flatnonzero(np.isin(predictions[schema.INDEX], photos.indices))
    species_logits = np.asarray(predictions["species_logits"], np.float64)[chosen]
    probabilities = calibration.sigmoid(predictions["trait_logits"][chosen])
    keypoints = predictions[schema.PARTS][chosen]
    predicted = np.argmax(species_logits, -1)
    cited = records.cited_traits(
        probabilities, table.values[predicted],
        contributions.contributions_to(context.task, context.params, probabilities, predicted,
                                       table.values), self.num_cited, self.min_odds)
    tests = self._tests(cited, probabilities, keypoints,
                        maps.trait_parts(table.traits, source.part_names))
    if not tests:
      return {"num_tests": 0, "side": self.side}
    photo, trait, centres = (np.array([test[i] for test in tests]) for i in range(3))
    controls = np.array([test[3] for test in tests])
    examples = predictions[schema.INDEX][chosen][photo]
    hidden = context.predict_source(occlude.OccludedSource(
        source, np.concatenate([examples, examples]), np.concatenate([centres, controls]),
        self.side))
    order = np.argsort(hidden[schema.INDEX])
    hidden_traits = calibration.sigmoid(hidden["trait_logits"][order])
    hidden_species = calibration.softmax(np.asarray(hidden["species_logits"], np.float64)[order])
    clean_species = calibration.softmax(species_logits)[photo, predicted[photo]]
    count = len(tests)
    rows = np.arange(count)
    drops = {
        "trait_drop_part": probabilities[photo, trait] - hidden_traits[rows, trait],
        "trait_drop_control": probabilities[photo, trait] - hidden_traits[count + rows, trait],
        "species_drop_part": clean_species - hidden_species[rows, predicted[photo]],
        "species_drop_control": clean_species - hidden_species[count + rows,
                                                               predicted[photo]]}
    kinds = np.array([trait_kind(table.traits[t]) for t in trait])
    report = {"side": self.side, "num_photos": len(chosen), **self._summary(drops)}
    report["by_kind"] = {kind: self._summary({k: v[kinds == kind] for k, v in drops.items()})
                         for kind in sorted(set(kinds))}
    return classification.nans_to_none(report)

  def _tests(self, cited, probabilities, keypoints, carried) -> list[tuple]:
    """(photo, trait, part centre, control centre) of every test (see the class docstring)."""
    rng = np.random.default_rng(self.seed)
    tests = []
    for photo, slot in zip(*np.nonzero(cited >= 0)):
      trait = cited[photo, slot]
      visible = carried[trait] & (keypoints[photo, :, 2] > 0)
      if probabilities[photo, trait] < 0.5 or not visible.any():
        continue
      points = keypoints[photo, visible, :2]
      half = self.side / 2
      draws = rng.uniform(half, 1 - half, (CONTROL_DRAWS, 2))
      far = np.min(np.linalg.norm(draws[:, None] - points[None], axis=-1), -1) >= self.side
      if far.any():
        tests.append((photo, trait, points.mean(0), draws[np.argmax(far)]))
    return tests

  def _summary(self, drops: dict[str, np.ndarray]) -> dict:
    """Means of the drops, and each paired difference (part - control) with its interval."""
    summary = {"num_tests": int(len(drops["trait_drop_part"]))}
    for what in ("trait", "species"):
      part, control = drops[f"{what}_drop_part"], drops[f"{what}_drop_control"]
      difference = part - control
      summary.update({
          f"{what}_drop_part": float(np.mean(part)) if len(part) else None,
          f"{what}_drop_control": float(np.mean(control)) if len(part) else None,
          f"{what}_drop_difference": float(np.mean(difference)) if len(part) else None,
          f"{what}_drop_difference_interval": list(intervals.bootstrap_mean(difference,
                                                                            seed=self.seed))})
    return summary
