"""The evidence behind a verdict's trust: what the trust was fitted on and how the model and its
trust measured on held-out photos, so a reader can weigh "identified" or a probability.

Every explained photo (and plant) carries it in its record as `trust_evidence`:

    fit_split           the split the trust was fitted on (config.trust.fit_split);
    num_fit             how many photos of it (trust.json);
    evaluated_on        the split of the three measures below (the run's metrics.json);
    test_accuracy       species top-1 there (the `classification` evaluator);
    ece                 the species' expected calibration error there, under the trust's
                        temperature (the `calibration` evaluator's `ece_after`);
    conformal_coverage  how often the conformal species sets held the true species there
                        (the `conformal` evaluator);
    threshold_reached   whether any threshold of trust reached the target accuracy on the fit
                        (none: every photo is declined);
    sets_narrowed       whether the conformal species sets can leave a species out (not with
                        an infinite conformal threshold, which too few fit photos give: at
                        alpha 0.05, fewer than 19);
    unlike_fit          photos only: where the photo's compatibility score (the trust's
                        unknown-species score: how well its traits fit its species' row,
                        `traitjax.trust`) falls among the fit's photos answered right, 0 = below
                        them all; null when the fit answered none right;
    warnings            plain sentences (`wording.trust_warnings`): a small fit, no threshold
                        reached, sets that hold every species, a photo unlike the fit's, no
                        held-out measure.

A measure the workdir lacks (no metrics.json, an evaluator not configured) is null.
"""

from __future__ import annotations

import json
import os
from typing import Mapping

import numpy as np

from traitjax.explanations import wording

# Fewer fit photos than this and the trust rests on too few errors: at 95% target accuracy,
# 100 photos hold about five wrong answers, so one photo more or less moves the threshold.
SMALL_FIT = 100
# A photo whose compatibility falls below this quantile of the fit's photos answered right is
# unlike them (the 5% tail: what the `unknown_species` reason flags as a misfit).
UNLIKE_FIT_QUANTILE = 0.05
# The run's report, beside trust.json in the workdir.
METRICS_FILE = "metrics.json"
# (evaluator type in config.evals, key of its report, trust_evidence field).
MEASURES = (("classification", "species_top1", "test_accuracy"),
            ("calibration", "ece_after", "ece"),
            ("conformal", "coverage", "conformal_coverage"))
# The split whose measures are preferred where evaluators read several.
PREFERRED_SPLIT = "test"


def measures(metrics: Mapping | None, evals: Mapping) -> dict:
  """{evaluated_on, test_accuracy, ece, conformal_coverage} from a run's metrics.json
  (`metrics`, None when it has none) and its config.evals: each measure from the report of the
  first evaluator of its type on `PREFERRED_SPLIT` (else on any split) found there; None where
  none is."""
  found = {"evaluated_on": None, **{field: None for _, _, field in MEASURES}}
  entries = sorted(((name, dict(entry)) for name, entry in dict(evals or {}).items()),
                   key=lambda item: item[1].get("split") != PREFERRED_SPLIT)
  for kind, key, field in MEASURES:
    for name, entry in entries:
      if entry.get("type") != kind:
        continue
      section = name if entry.get("section") is None else entry["section"]
      report = metrics or {}
      for part in filter(None, section.split(".")):
        report = report.get(part) if isinstance(report, Mapping) else None
      value = report.get(key) if isinstance(report, Mapping) else None
      if isinstance(value, (int, float)) and np.isfinite(value):
        found[field] = float(value)
        found["evaluated_on"] = found["evaluated_on"] or entry.get("split")
        break
  return found


def of_trust(trusted, fit_split: str, measured: Mapping, unlike: float | None = None,
             with_unlike: bool = True) -> dict:
  """`evidence` of a fitted `traitjax.trust.Trust` (its fit's size, threshold, target
  accuracy and conformal threshold)."""
  return evidence(fit_split, trusted.num_fit, measured, np.isfinite(trusted.threshold), unlike,
                  with_unlike, trusted.target_accuracy,
                  bool(np.isfinite(trusted.conformal_threshold)))


def read_measures(workdir: str, evals: Mapping) -> dict:
  """`measures` of the workdir's metrics.json (all None when training wrote none)."""
  path = os.path.join(workdir, METRICS_FILE)
  metrics = None
  if os.path.isfile(path):
    with open(path) as f:
      metrics = json.load(f)
  return measures(metrics, evals)


def unlike_fit(compatibility, reference) -> np.ndarray | None:
  """float [N]: where each photo's compatibility falls among `reference` (the fit's photos
  answered right, `Trust.references["compatibility"]`): the share of them at or below it;
  None without a reference."""
  reference = np.sort(np.asarray(reference, np.float64))
  if len(reference) == 0:
    return None
  return (np.searchsorted(reference, np.asarray(compatibility, np.float64), side="right")
          / len(reference))


def evidence(fit_split: str, num_fit: int, measured: Mapping, threshold_reached: bool,
             unlike: float | None = None, with_unlike: bool = True,
             target_accuracy: float = 0.95, sets_narrowed: bool = True) -> dict:
  """One verdict's `trust_evidence` (the module docstring), its warnings worded by
  `wording.trust_warnings`; `with_unlike` False leaves `unlike_fit` out (a plant: the fit's
  photos are single photos, its combined evidence is not one)."""
  found = {"fit_split": fit_split, "num_fit": int(num_fit),
           **{k: measured.get(k) for k in ("evaluated_on", "test_accuracy", "ece",
                                           "conformal_coverage")},
           "threshold_reached": bool(threshold_reached), "sets_narrowed": bool(sets_narrowed)}
  if with_unlike:
    found["unlike_fit"] = None if unlike is None else float(unlike)
  found["warnings"] = wording.trust_warnings(found, target_accuracy, SMALL_FIT,
                                             UNLIKE_FIT_QUANTILE)
  return found
