"""When to trust a prediction: everything fitted on a validation split that turns the model's
logits into calibrated probabilities, scores of trust, a decision with its reason and a
conformal species set. Fitted once (`fit`), saved as the workdir's `trust.json` and read by
every later command (`Trust.load`).

- Species probabilities: softmax(logits / `temperature`), the temperature minimising the
  validation NLL (Guo et al. 2017).
- Trait probabilities: per trait, Platt scaling sigmoid(a_t x logit + b_t) against the
  validation photos' trait truth (per photo where the data has it, else the species' table
  row), pulled towards a = 1, b = 0 so a trait with few labels stays as it was.
- Scores (higher = more trustworthy):
  `max_probability` and `margin` (top-1 minus top-2) of the calibrated softmax;
  `compatibility`: how well the traits the photo shows fit the predicted species' table row:
  the agreement 1 - |p - r| of each known cell, weighted by how sure the detector is of the
  trait (|2p - 1|; a photo showing little leans on the validation mean, so a poor photo is
  not taken for a misfit), as a z-score against the validation photos of that species
  (shrunk towards all species' statistics: a species with few or no validation photos, e.g.
  one added from its description, is judged by all species');
  `evidence`: how much of the trait evidence this photo lets the model judge, the mean of
  |2p - 1| over traits weighted by how much each trait varies across species' rows;
  `combined`: a logistic regression of "the prediction is right" on the four, fitted on
  validation.
- Decisions: `identify` where `combined` reaches the threshold whose validation predictions
  are `target_accuracy` accurate at the largest coverage, else `abstain` with a reason: the
  score of the three below that is lowest as a quantile of the validation photos predicted
  right: `unknown_species` (compatibility: the traits fit no known species),
  `poor_photo` (evidence: too little of the photo can be judged), `ambiguous` (margin: several
  species share the probability).
- Conformal species sets: split conformal APS (`metrics.conformal`) on the calibrated
  probabilities, its threshold the (1 - alpha) conformal quantile of the validation scores.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Sequence

import numpy as np

from traitjax.data import schema
from traitjax.metrics import calibration
from traitjax.metrics import conformal
from traitjax.metrics import selective

# The trust of a workdir: written by training beside metrics.json, read by later commands.
FILE_NAME = "trust.json"
SCORES = ("max_probability", "margin", "compatibility", "evidence", "combined")
REASONS = {"compatibility": "unknown_species", "evidence": "poor_photo", "margin": "ambiguous"}
IDENTIFY, ABSTAIN = "identify", "abstain"
# Validation photos a species' compatibility statistics count as, on top of its own: how far
# a species with few photos is pulled towards all species' statistics.
COMPATIBILITY_PRIOR_PHOTOS = 5.0
# Sure traits (in units of |2p - 1|) the validation mean agreement counts as in a photo's
# compatibility.
COMPATIBILITY_PRIOR_TRAITS = 1.0
# The uniform draws of randomised APS on a fit split: fixed, so a fit is reproducible.
CONFORMAL_SEED = 0


@dataclasses.dataclass(frozen=True)
class Trust:
  """A fitted trust model (see the module docstring). Arrays are numpy; `species` names the
  species the per-species statistics belong to, so another table (species added or
  reordered) is matched by name."""

  temperature: float
  trait_scale: np.ndarray  # [T]
  trait_bias: np.ndarray  # [T]
  species: tuple[str, ...]
  compatibility_mean: np.ndarray  # [S]
  compatibility_std: np.ndarray  # [S]
  compatibility_pooled: tuple[float, float]  # mean and std over all validation photos
  agreement_prior: float  # the validation photos' mean agreement with their species' rows
  evidence_weights: np.ndarray  # [T]
  combiner: np.ndarray  # [5]: coefficients of the 4 standardised scores and the intercept
  combiner_centre: np.ndarray  # [4]
  combiner_scale: np.ndarray  # [4]
  threshold: float  # on `combined`; inf: no threshold reaches the target accuracy
  target_accuracy: float
  references: dict[str, np.ndarray]  # REASONS' scores of validation photos predicted right
  alpha: float
  conformal_threshold: float
  best_score: str  # the score of lowest AURC on the fit split
  num_fit: int

  # ---- probabilities ---------------------------------------------------------------------

  def species_probabilities(self, species_logits: np.ndarray) -> np.ndarray:
    """[N, S] calibrated species probabilities."""
    return calibration.softmax(species_logits, self.temperature)

  def trait_probabilities(self, trait_logits: np.ndarray) -> np.ndarray:
    """[N, T] calibrated trait probabilities."""
    return calibration.sigmoid(self.trait_scale * np.asarray(trait_logits, np.float64)
                               + self.trait_bias)

  # ---- scores ------------------------------------------------------------------------------

  def scores(self, species_logits: np.ndarray, trait_logits: np.ndarray,
             table: schema.TraitTable) -> dict[str, np.ndarray]:
    """Per photo, each of `SCORES` (higher = more trustworthy); `table` has a row for every
    species of the logits."""
    raw = _raw_scores(self.species_probabilities(species_logits),
                      self.trait_probabilities(trait_logits), table.values,
                      self.evidence_weights, self.agreement_prior)
    raw["compatibility"] = self._relative_compatibility(raw["compatibility"], table,
                                                        np.argmax(species_logits, -1))
    raw["combined"] = self._combine(raw)
    return raw

  def compatibility(self, trait_logits: np.ndarray, table: schema.TraitTable,
                    species: np.ndarray) -> np.ndarray:
    """[N]: the `compatibility` score of each photo with the row of `species` (int [N], rows of
    `table`) rather than of its predicted species."""
    rows = table.values[np.asarray(species)]
    raw = _compatibility(self.trait_probabilities(trait_logits), rows, self.agreement_prior)
    return self._relative_compatibility(raw, table, species)

  def _relative_compatibility(self, raw: np.ndarray, table: schema.TraitTable,
                              species: np.ndarray) -> np.ndarray:
    """Raw compatibilities with the rows of `species` as z-scores against the validation
    statistics of those species."""
    mean, std = self._compatibility_statistics(table.species)
    return (raw - mean[species]) / std[species]

  def _compatibility_statistics(self, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per species of `names`, its validation mean and std of raw compatibility (all species'
    for a species this fit never saw)."""
    known = {name: i for i, name in enumerate(self.species)}
    index = np.array([known.get(name, -1) for name in names])
    mean = np.where(index >= 0, self.compatibility_mean[index], self.compatibility_pooled[0])
    std = np.where(index >= 0, self.compatibility_std[index], self.compatibility_pooled[1])
    return mean, std

  def _combine(self, scores: dict[str, np.ndarray]) -> np.ndarray:
    features = _combiner_features(scores, self.combiner_centre, self.combiner_scale)
    return calibration.sigmoid(features @ self.combiner)

  # ---- decisions and sets ------------------------------------------------------------------

  def decide(self, species_logits: np.ndarray, trait_logits: np.ndarray,
             table: schema.TraitTable) -> tuple[np.ndarray, np.ndarray]:
    """Per photo `identify` or `abstain`, and the reason of each abstention (`REASONS`'
    values; "" for an identification)."""
    return self.decide_from_scores(self.scores(species_logits, trait_logits, table))

  def decide_from_scores(self, scores: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """`decide` on scores already computed."""
    identified = scores["combined"] >= self.threshold
    quantiles = np.stack([_quantile_of(scores[name], self.references[name])
                          for name in REASONS], -1)
    reasons = np.array(list(REASONS.values()))[np.argmin(quantiles, -1)]
    return (np.where(identified, IDENTIFY, ABSTAIN),
            np.where(identified, "", reasons).astype(object))

  def prediction_sets(self, species_logits: np.ndarray,
                      rng: np.random.Generator | None = None) -> np.ndarray:
    """bool [N, S]: each photo's conformal species set. With `rng`, randomised APS (exact
    1 - alpha coverage, what the conformal evaluator measures); without, every species the
    randomised set could hold (deterministic per photo, covering at least as often)."""
    return conformal.aps_sets(self.species_probabilities(species_logits),
                              self.conformal_threshold, rng)

  # ---- files -------------------------------------------------------------------------------

  def save(self, path: str | os.PathLike) -> None:
    payload = {}
    for field in dataclasses.fields(self):
      value = getattr(self, field.name)
      if isinstance(value, np.ndarray):
        value = value.tolist()
      elif isinstance(value, dict):
        value = {k: np.asarray(v).tolist() for k, v in value.items()}
      payload[field.name] = value
    with open(path, "w") as f:
      json.dump(payload, f, indent=1, default=_json_float)

  @classmethod
  def load(cls, path: str | os.PathLike) -> Trust:
    path = os.fspath(path)
    if not os.path.isfile(path):
      raise FileNotFoundError(f"no trust file at {path} (training writes it when "
                              "config.trust.fit_split names a split)")
    with open(path) as f:
      payload = json.load(f)
    try:
      values = {field.name: payload[field.name] for field in dataclasses.fields(cls)}
    except KeyError as e:
      raise ValueError(f"{path}: missing field {e}") from None
    arrays = ("trait_scale", "trait_bias", "compatibility_mean", "compatibility_std",
              "evidence_weights", "combiner", "combiner_centre", "combiner_scale")
    for name in arrays:
      values[name] = np.asarray(values[name], np.float64)
    values["references"] = {k: np.asarray(v, np.float64) for k, v in values["references"].items()}
    values["species"] = tuple(values["species"])
    values["compatibility_pooled"] = tuple(values["compatibility_pooled"])
    return cls(**values)


def _json_float(value):
  return float(value)


def fit(predictions: dict, table: schema.TraitTable, target_accuracy: float = 0.95,
        alpha: float = 0.05) -> Trust:
  """A `Trust` fitted on a split's gathered predictions (species_logits, trait_logits and the
  batch fields species, traits, traits_visible) with `table` the species rows of its logits.
  Raises ValueError without examples."""
  labels = np.asarray(predictions[schema.SPECIES])
  if len(labels) == 0:
    raise ValueError("no examples to fit trust on")
  if not 0 < target_accuracy <= 1:
    raise ValueError(f"trust.target_accuracy must lie in (0, 1], got {target_accuracy}")
  species_logits = np.asarray(predictions["species_logits"], np.float64)
  trait_logits = np.asarray(predictions["trait_logits"], np.float64)
  temperature = calibration.fit_temperature(species_logits, labels)
  trait_scale, trait_bias = _fit_trait_calibration(trait_logits, trait_truth(predictions)[1])
  evidence_weights = np.nanstd(table.values, 0)
  evidence_weights = np.where(np.isfinite(evidence_weights), evidence_weights, 0.0)
  if evidence_weights.sum() == 0:
    evidence_weights = np.ones_like(evidence_weights)
  trait_probabilities = calibration.sigmoid(trait_scale * trait_logits + trait_bias)
  agreement, sureness = _agreement(trait_probabilities, table.values[labels])
  agreement_prior = float(agreement.sum() / max(sureness.sum(), 1e-6))
  raw = _raw_scores(calibration.softmax(species_logits, temperature), trait_probabilities,
                    table.values, evidence_weights, agreement_prior)
  # Compatibility of each photo with its own species' row, per species.
  own = _compatibility(trait_probabilities, table.values[labels], agreement_prior)
  pooled = (float(np.mean(own)), float(np.std(own)) + 1e-6)
  count = np.bincount(labels, minlength=table.num_species).astype(np.float64)
  total = np.bincount(labels, own, table.num_species)
  squares = np.bincount(labels, own ** 2, table.num_species)
  prior = COMPATIBILITY_PRIOR_PHOTOS
  mean = (total + prior * pooled[0]) / (count + prior)
  second = (squares + prior * (pooled[1] ** 2 + pooled[0] ** 2)) / (count + prior)
  std = np.sqrt(np.maximum(second - mean ** 2, 1e-12))
  predicted = np.argmax(species_logits, -1)
  raw["compatibility"] = (raw["compatibility"] - mean[predicted]) / std[predicted]
  correct = predicted == labels
  names = ("max_probability", "margin", "compatibility", "evidence")
  centre = np.array([np.mean(raw[n]) for n in names])
  scale = np.array([np.std(raw[n]) for n in names]) + 1e-6
  features = _combiner_features(raw, centre, scale)
  combiner = calibration.fit_logistic(features[None], correct[None].astype(np.float64))[0]
  combined = calibration.sigmoid(features @ combiner)
  rng = np.random.default_rng(CONFORMAL_SEED)
  aps = conformal.aps_scores(calibration.softmax(species_logits, temperature), labels, rng)
  references = {name: np.sort(raw[name][correct]) for name in REASONS}
  raw["combined"] = combined
  fit_aurc = {name: selective.aurc(raw[name], correct) for name in SCORES}
  return Trust(
      temperature=temperature, trait_scale=trait_scale, trait_bias=trait_bias,
      species=table.species, compatibility_mean=mean, compatibility_std=std,
      compatibility_pooled=pooled, agreement_prior=agreement_prior,
      evidence_weights=evidence_weights, combiner=combiner,
      combiner_centre=centre, combiner_scale=scale,
      threshold=selective.threshold_at_accuracy(combined, correct, target_accuracy),
      target_accuracy=float(target_accuracy), references=references, alpha=float(alpha),
      conformal_threshold=conformal.aps_threshold(aps, alpha),
      best_score=min(SCORES, key=lambda name: np.nan_to_num(fit_aurc[name], nan=np.inf)),
      num_fit=len(labels))


def trait_truth(predictions: dict) -> tuple[str, np.ndarray]:
  """The trait truth of a split's photos: its field (per-photo truth where the data has any,
  else the species' table rows) and its values [N, T] (NaN = unknown)."""
  field = (schema.TRAITS_VISIBLE if np.isfinite(predictions[schema.TRAITS_VISIBLE]).any()
           else schema.TRAITS)
  return field, np.asarray(predictions[field], np.float64)


def _fit_trait_calibration(trait_logits: np.ndarray,
                           truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """Per trait, Platt's a and b (prior a = 1, b = 0) of sigmoid(a x logit + b) against the
  graded truth in [0, 1] (NaN left out)."""
  known = np.isfinite(truth)
  logits = np.clip(trait_logits, -30, 30).T  # [T, N]
  features = np.stack([logits, np.ones_like(logits)], -1)
  coefficients = calibration.fit_logistic(features, np.where(known, truth, 0).T, known.T,
                                          l2=1e-2, prior=np.array([1.0, 0.0]))
  return coefficients[:, 0], coefficients[:, 1]


def _agreement(trait_probabilities: np.ndarray,
               rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """[N] each: the sum over each photo's known row cells of sureness |2p - 1| x agreement
  1 - |p - r|, and the sum of the sureness."""
  p = np.asarray(trait_probabilities, np.float64)
  known = np.isfinite(rows)
  sureness = np.where(known, np.abs(2 * p - 1), 0)
  agreement = sureness * (1 - np.abs(p - np.where(known, rows, 0)))
  return agreement.sum(-1), sureness.sum(-1)


def _compatibility(trait_probabilities: np.ndarray, rows: np.ndarray,
                   prior: float) -> np.ndarray:
  """[N]: each photo's sureness-weighted agreement with its row, with `prior` counted as
  COMPATIBILITY_PRIOR_TRAITS sure traits."""
  agreement, sureness = _agreement(trait_probabilities, rows)
  return ((agreement + COMPATIBILITY_PRIOR_TRAITS * prior)
          / (sureness + COMPATIBILITY_PRIOR_TRAITS))


def _raw_scores(species_probabilities, trait_probabilities, table_values, evidence_weights,
                agreement_prior):
  """The scores before compatibility is taken relative to its species and before combining."""
  top = -np.sort(-species_probabilities, -1)
  second = top[:, 1] if top.shape[1] > 1 else np.zeros(len(top))
  predicted = np.argmax(species_probabilities, -1)
  return {
      "max_probability": top[:, 0], "margin": top[:, 0] - second,
      "compatibility": _compatibility(trait_probabilities, table_values[predicted],
                                      agreement_prior),
      "evidence": (np.abs(2 * trait_probabilities - 1) @ evidence_weights
                   / evidence_weights.sum()),
  }


def _combiner_features(scores, centre, scale) -> np.ndarray:
  """[N, 5]: the four scores standardised, and a column of ones."""
  names = ("max_probability", "margin", "compatibility", "evidence")
  columns = [(scores[n] - c) / s for n, c, s in zip(names, centre, scale)]
  return np.stack(columns + [np.ones_like(columns[0])], -1)


def _quantile_of(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
  """Where each value falls among the sorted `reference` (0 = below all of them); 0.5 for
  every value when there is no reference."""
  if len(reference) == 0:
    return np.full(len(values), 0.5)
  return np.searchsorted(reference, values, side="right") / len(reference)
