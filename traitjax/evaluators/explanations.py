"""Explanations as measured claims: do the traits an explanation cites drive the prediction
(deletion), does the model see them where they are (pointing game), and can a reader redo the
decision from them (simulatability)?

Each photo's explanation cites the strongest supports of its top species
(`explanations.records.cited_traits`: traits where the photo and the species' row agree, with a
positive contribution to that species; by confidence where the species head does not read the
traits), at most `num_cited`: exactly what `explain` writes under `cited`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax import trust as trust_lib
from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.explanations import contributions
from traitjax.explanations import maps
from traitjax.explanations import records
from traitjax.explanations import wording
from traitjax.metrics import calibration
from traitjax.metrics import classification
from traitjax.metrics import explanations as explanation_metrics
from traitjax.models import cbm


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """Faithfulness, localisation and simulatability of the per-photo explanations.

  - Deletion (faithfulness): the probability of the predicted species, recomputed by the
    species head (`task.species_logits_from_traits`), after removing the first k = 0 ...
    `num_cited` cited traits (fewer where a photo cites fewer), against removing as many traits
    drawn at random (by `seed`). A removed trait is unknown: NaN for the table and cosine heads
    (no evidence either way), 0.5 for the linear head (it takes no NaN; independent mode trains
    an empty cell as 0.5), the input the contributions are measured from.
    `deletion_curve_*` are the mean probabilities and `deletion_area_*` their normalised areas
    (`metrics.explanations.deletion_area`: 1 = no change, lower = the removed traits mattered
    more; above 1 when removing them raises the probability). None where the species head
    does not read the traits (black box, slots).
  - Pointing game (localisation): for each cited trait the photo shows (probability >= 0.5)
    and whose part (`explanations.maps.group_parts`) has a visible keypoint, a hit when the
    peak of its evidence map (cell centre) lies within `radius` of such a keypoint; the same for
    the photo's centre (`pointing_game_centre`) and a uniform random point
    (`pointing_game_random`, by `seed`). `radius` None: half the diagonal of one cell of the map
    (0.18 of the side for 4 x 4 maps, 0.10 for 7 x 7), the precision a peak can have, so a
    peak in the keypoint's own cell always counts.
  - Simulatability: a reader who sees only the cited traits (present when their probability is
    >= 0.5) and the species rows picks the nearest row over those traits
    (`metrics.classification.nearest_row_top1`, ties split); how often that is the model's
    top-1. `simulatability_all_traits` lets the reader see every trait.
  - The simulated user (`simulated_user`), who sees what the page shows: the two species it
    names first, the cited traits and the traits that separate them (`records`: `runner_up`,
    the `num_cited` strongest), each present or absent; `picks_model_species`: how often the
    nearer of the two rows over those traits is the model's species (ties split).
    `accepts`: how often it accepts the answer when it is right and when it is wrong, following
    the page's decision (the trust's identify or abstain) or the species probability alone
    (accepted at >= 0.5, calibrated by the trust); `with_decision` is None without a trust.
  """

  num_cited: int = 3
  radius: float | None = None
  min_odds: float = wording.DEFAULT_MIN_ODDS
  seed: int = 0

  needs_trait_maps = True
  batch_fields = (schema.PARTS,)

  def __post_init__(self):
    super().__post_init__()
    if self.num_cited < 1:
      raise ValueError(f"config.evals.{self.name}.num_cited must be >= 1, got {self.num_cited}")
    if self.radius is not None and self.radius < 0:
      raise ValueError(f"config.evals.{self.name}.radius must be >= 0 (or None), got "
                       f"{self.radius}")
    if self.min_odds < 1:
      raise ValueError(f"config.evals.{self.name}.min_odds must be >= 1, got {self.min_odds}")

  def __call__(self, predictions, context):
    task, params = context.task, context.params
    table = context.table
    species_logits = np.asarray(predictions["species_logits"], np.float64)
    probabilities = calibration.sigmoid(predictions["trait_logits"])
    predicted = np.argmax(species_logits, axis=-1)
    top_contributions = contributions.contributions_to(task, params, probabilities, predicted,
                                                       table.values)
    cited = records.cited_traits(probabilities, table.values[predicted], top_contributions,
                                 self.num_cited, self.min_odds)
    rng = np.random.default_rng(self.seed)
    report = {
        "num_examples": len(predicted),
        "num_cited": self.num_cited,
        "mean_num_cited": float(np.mean(np.sum(cited >= 0, -1))) if len(cited) else None,
        "traits_used_by_decision": top_contributions is not None,
        **self._deletion(task, params, probabilities, predicted, cited, rng),
        **self._pointing_game(predictions, context.source, table, probabilities, cited, rng),
        **_simulatability(probabilities, cited, table.values, predicted),
        "simulated_user": self._simulated_user(
            context, species_logits, predictions["trait_logits"], probabilities, cited,
            top_contributions, predictions[schema.SPECIES]),
    }
    return classification.nans_to_none(report)

  def _simulated_user(self, context, species_logits, trait_logits, probabilities, cited,
                      top_contributions, labels) -> dict | None:
    """The simulated user's picks and acceptances (see the class docstring)."""
    if not len(labels) or species_logits.shape[1] < 2:
      return None
    table = context.table
    trust = context.trust() if context.trust is not None else None
    ranked = np.argsort(-species_logits, -1, kind="stable")
    first, second = ranked[:, 0], ranked[:, 1]
    if top_contributions is None:  # How much better the first row fits than the second.
      separation = records.row_fit_separation(probabilities, table.values[first],
                                              table.values[second])
    else:
      separation = top_contributions - contributions.contributions_to(
          context.task, context.params, probabilities, second, table.values)
    separation = np.where(np.isfinite(separation) & np.isfinite(probabilities), separation,
                          -np.inf)
    separating = np.argsort(-separation, -1, kind="stable")[:, :self.num_cited]
    shown = np.zeros_like(probabilities, bool)
    photos = np.arange(len(labels))[:, None]
    shown[photos, separating] = np.take_along_axis(separation, separating, -1) > 0
    photo, slot = np.nonzero(cited >= 0)
    shown[photo, cited[photo, slot]] = True
    seen = np.where(shown, (probabilities >= 0.5).astype(np.float64), np.nan)
    pair = np.stack([table.values[first], table.values[second]], 1)  # [N, 2, T]
    known = np.isfinite(seen)[:, None] & np.isfinite(pair)
    distance = np.where(known, np.abs(np.nan_to_num(seen)[:, None] - np.nan_to_num(pair)),
                        0).sum(-1)
    picks_first = np.where(np.isclose(distance[:, 0], distance[:, 1]), 0.5,
                           (distance[:, 0] < distance[:, 1]).astype(np.float64))
    right = first == labels
    probability = (trust.species_probabilities(species_logits) if trust is not None
                   else calibration.softmax(species_logits))

    def accepts(accepted):
      return {"right": float(accepted[right].mean()) if right.any() else None,
              "wrong": float(accepted[~right].mean()) if (~right).any() else None}

    return {"picks_model_species": float(picks_first.mean()),
            "mean_traits_shown": float(shown.sum(-1).mean()),
            "accepts": {"with_decision": None if trust is None else accepts(
                            trust.decide(species_logits, trait_logits, table)[0]
                            == trust_lib.IDENTIFY),
                        "with_probability": accepts(probability.max(-1) >= 0.5)},
            "num_right": int(right.sum()), "num_wrong": int((~right).sum())}

  def _deletion(self, task, params, probabilities, predicted, cited, rng) -> dict:
    """Deletion curves of the cited and of random traits (see the class docstring)."""
    ks = list(range(self.num_cited + 1))
    if not getattr(task, "species_reads_traits", False):
      return {"deletion_k": ks, "deletion_curve_cited": None, "deletion_curve_random": None,
              "deletion_area_cited": None, "deletion_area_random": None}
    unknown = (np.nan if task.model.species_head in cbm.TABLE_HEADS
               else contributions.UNKNOWN_LINEAR)
    num_photos, num_traits = probabilities.shape
    random_order = np.argsort(rng.random((num_photos, num_traits)), axis=-1)
    num_removable = np.sum(cited >= 0, axis=-1)
    photos = np.arange(num_photos)

    def curve(order):
      probability = np.zeros((num_photos, len(ks)))
      for k in ks:
        removed = probabilities.copy()
        for j in range(k):
          chosen = num_removable > j
          removed[photos[chosen], order[chosen, j]] = unknown
        logits = np.asarray(task.species_logits_from_traits(params, removed.astype(np.float32)))
        probability[:, k] = calibration.softmax(logits)[photos, predicted]
      return probability

    cited_curve, random_curve = curve(cited), curve(random_order)
    return {"deletion_k": ks,
            "deletion_curve_cited": cited_curve.mean(0).tolist(),
            "deletion_curve_random": random_curve.mean(0).tolist(),
            "deletion_area_cited": explanation_metrics.deletion_area(cited_curve),
            "deletion_area_random": explanation_metrics.deletion_area(random_curve)}

  def _pointing_game(self, predictions, source, table, probabilities, cited, rng) -> dict:
    """The pointing game of the cited traits' evidence maps against their parts' keypoints
    (see the class docstring), and of the centre and random points."""
    trait_maps = predictions["trait_maps"]
    radius = (self.radius if self.radius is not None
              else explanation_metrics.cell_half_diagonal(*trait_maps.shape[1:3]))
    keypoints = predictions[schema.PARTS]
    carried = maps.trait_parts(table.traits, source.part_names)  # [T, P]
    photo, slot = np.nonzero(cited >= 0)
    trait = cited[photo, slot]
    visible = keypoints[photo, :, 2] > 0
    scored = (probabilities[photo, trait] >= 0.5) & np.any(carried[trait] & visible, axis=-1)
    photo, trait = photo[scored], trait[scored]
    # Advanced indices apart: the pairs come first, [M, h, w].
    peaks = explanation_metrics.peak_locations(trait_maps[photo, :, :, trait])
    allowed, photo_keypoints = carried[trait], keypoints[photo]
    hits = lambda points: explanation_metrics.hit_rate(
        explanation_metrics.pointing_hits(points, photo_keypoints, allowed, radius))
    return {"pointing_game": hits(peaks),
            "pointing_game_centre": hits(np.full_like(peaks, 0.5)),
            "pointing_game_random": hits(rng.uniform(size=peaks.shape)),
            "num_pointed": int(len(photo)), "radius": float(radius)}


def _simulatability(probabilities, cited, table_values, predicted) -> dict:
  """How often the nearest row over the cited traits (and over every trait) is the model's
  top-1."""
  detected = (probabilities >= 0.5).astype(np.float64)
  seen = np.full_like(detected, np.nan)
  photo, slot = np.nonzero(cited >= 0)
  seen[photo, cited[photo, slot]] = detected[photo, cited[photo, slot]]
  if not len(predicted):
    return {"simulatability": None, "simulatability_all_traits": None}
  return {"simulatability": classification.nearest_row_top1(seen, table_values, predicted),
          "simulatability_all_traits": classification.nearest_row_top1(
              detected, table_values, predicted)}
