"""Selective prediction: how well each confidence score lets the model abstain on the photos it
gets wrong (risk-coverage), and tell photos of unseen species from seen ones."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax.data import schema
from traitjax.evaluators import calibration as calibration_evaluator
from traitjax.metrics import calibration
from traitjax.metrics import classification
from traitjax.metrics import selective

COVERAGES = (0.5, 0.8, 0.9)
TARGET_ACCURACY = 0.95


def confidence_scores(predictions: dict, temperature: float, reads_traits: bool) -> dict:
  """Per photo, higher = more confident: `max_probability` and `margin` (top-1 minus top-2)
  of the species softmax at `temperature`, and, when the species head reads the traits,
  `trait_evidence`: the mean over traits of |2p - 1| of the trait probabilities."""
  probabilities = calibration.softmax(predictions["species_logits"], temperature)
  top = np.sort(probabilities, -1)[:, ::-1]
  second = top[:, 1] if top.shape[1] > 1 else np.zeros(len(top))
  scores = {"max_probability": top[:, 0], "margin": top[:, 0] - second}
  if reads_traits:
    traits = calibration.sigmoid(predictions["trait_logits"])
    scores["trait_evidence"] = np.mean(np.abs(2 * traits - 1), -1)
  return scores


def _correct(predictions):
  return np.argmax(predictions["species_logits"], -1) == predictions[schema.SPECIES]


def selective_summary(confidence: np.ndarray, correct: np.ndarray) -> dict:
  """aurc, augrc, accuracy_at_coverage {"0.5", "0.8", "0.9"} and coverage_at_accuracy_0.95."""
  return {
      "aurc": selective.aurc(confidence, correct),
      "augrc": selective.augrc(confidence, correct),
      "accuracy_at_coverage": {str(c): selective.accuracy_at_coverage(confidence, correct, c)
                               for c in COVERAGES},
      f"coverage_at_accuracy_{TARGET_ACCURACY}": selective.coverage_at_accuracy(
          confidence, correct, TARGET_ACCURACY),
  }


@dataclasses.dataclass(frozen=True)
class Selective(calibration_evaluator.FitsOnSplit):
  """Risk-coverage of species predictions under each confidence score (`confidence_scores`,
  the softmax at the temperature fitted on `fit_split` as the calibration evaluator fits it).

  `score` is the score of lowest AURC on `fit_split` (chosen there, not on this split), and
  `aurc`, `augrc`, `accuracy_at_coverage` and `coverage_at_accuracy_0.95` are its on this
  split, as are `by_degradation` and `by_frequency_bin` (each with its `num_examples`);
  `by_score` has them for every score, with `roc_auc` (correct vs wrong). Where this split
  holds photos of both seen and unseen species, `ood_auroc` is, per score, the AUROC of the
  score ranking seen-species photos above unseen ones.
  """

  def __call__(self, predictions, context):
    temperature, num_fit = self.fitted_temperature(context)
    reads_traits = getattr(context.task, "species_reads_traits", False)
    scores = confidence_scores(predictions, temperature, reads_traits)
    correct = _correct(predictions)
    fit = self.fit_predictions(context)
    fit_aurc = {name: selective.aurc(score, _correct(fit))
                for name, score in confidence_scores(fit, temperature, reads_traits).items()}
    best = min(fit_aurc, key=lambda name: np.nan_to_num(fit_aurc[name], nan=np.inf))
    by_score = {name: {**selective_summary(score, correct),
                       "roc_auc": selective.roc_auc(score, correct)}
                for name, score in scores.items()}
    report = {"score": best, **selective_summary(scores[best], correct),
              "temperature": temperature, "num_fit": num_fit, "by_score": by_score}

    def grouped(groups, names):
      return {name: {**selective_summary(scores[best][groups == key], correct[groups == key]),
                     "num_examples": int(np.sum(groups == key))}
              for key, name in names if np.any(groups == key)}

    report["by_degradation"] = grouped(predictions[schema.DEGRADATION],
                                       enumerate(schema.DEGRADATIONS))
    bins = classification.frequency_bins(context.task.species_train_counts)[
        predictions[schema.SPECIES]]
    report["by_frequency_bin"] = grouped(bins, [(b, b) for b in ("head", "mid", "tail")])
    seen_species = getattr(context.source, "seen_species", None)
    if seen_species is not None:
      seen = np.asarray(seen_species, bool)[predictions[schema.SPECIES]]
      if seen.any() and not seen.all():
        report["ood_auroc"] = {name: selective.roc_auc(score, seen)
                               for name, score in scores.items()}
    return classification.nans_to_none(report)
