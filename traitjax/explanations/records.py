"""Per-photo explanation records: what the `explain` command writes and the `explanations`
evaluator measures.

A record (plain JSON types) holds:

- `species`: the `top_k` species, best first, each {name, probability};
- `traits`: every trait {name, phrase, absent_phrase, probability}, as detected in the photo
  (`phrasing`: what a person reads when the photo shows it and when it lacks it);
- `explained_species`: for each top species {name, probability, supports, contradicts,
  unjudgeable}, lists of trait items {name, phrase, probability, row, contribution}:
    supports     the photo and the species' row agree: the row says present (>= 0.5) and the
                 photo says so confidently, or the row says absent and the photo confidently
                 does not show it;
    contradicts  they disagree confidently, either way;
    unjudgeable  the photo is not confident (odds below `min_odds` either way: with the default
                 2, a probability strictly between 1/3 and 2/3), or the row's cell is empty;
  each ordered by |contribution| (`contributions.relative_to_mean_species` of the species head:
  how much the trait makes this species likelier than the average species of the table) and cut
  to `max_listed`;
- `runner_up`: the traits that most favour the first species over the second (largest
  contribution to the first minus contribution to the second), each with both rows and both
  contributions;
- `cited`: the names of the traits the explanation cites, its strongest supports of the top
  species (with a positive contribution), at most `num_cited`; the deletion test of the
  `explanations` evaluator removes exactly these;
- `rationale`: one paragraph in plain words naming only traits of the record
  (`wording.rationale`);
- `description`: one sentence of what the photo shows, whatever the species
  (`wording.description_sentence`: the values of each trait group it confidently shows, e.g.
  "Mostly buildings, dense buildings, grey and red colour, no water.");
- `traits_used_by_decision`: False where the species head does not read the traits (the black
  box, slot models): contributions are then null, the lists are ordered by how confident the
  photo is (|p - 0.5|), and `runner_up` by how much better the first species' row fits the
  photo than the second's (`separation`, |p - row2| - |p - row1|).

Probabilities come from a `trust` object when one is given (anything with
`species_probabilities(species_logits)` and `trait_probabilities(trait_logits)`, e.g. fitted
temperatures), else from a softmax and a sigmoid; contributions are always those of the head,
which reads the sigmoid of the trait logits.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from traitjax.data import schema
from traitjax.explanations import contributions as contributions_lib
from traitjax.explanations import phrasing
from traitjax.explanations import wording
from traitjax.metrics import calibration

SUPPORTS, CONTRADICTS, UNJUDGEABLE = 1, -1, 0


def judge(probabilities, rows, min_odds: float = wording.DEFAULT_MIN_ODDS) -> np.ndarray:
  """int8 [...]: SUPPORTS, CONTRADICTS or UNJUDGEABLE for each trait probability of a photo
  against the matching cell of a species row (NaN = empty cell), as the module docstring says.
  """
  if min_odds < 1:
    raise ValueError(f"min_odds must be >= 1, got {min_odds}")
  p, rows = np.asarray(probabilities, np.float64), np.asarray(rows, np.float64)
  high, low = p >= min_odds / (1 + min_odds), p <= 1 / (1 + min_odds)
  says_present = np.nan_to_num(rows) >= 0.5
  known = np.isfinite(rows) & np.isfinite(p)
  agree = (says_present & high) | (~says_present & low)
  disagree = (says_present & low) | (~says_present & high)
  return np.where(known & agree, SUPPORTS,
                  np.where(known & disagree, CONTRADICTS, UNJUDGEABLE)).astype(np.int8)


def cited_traits(probabilities, rows, top_contributions, num_cited: int,
                 min_odds: float = wording.DEFAULT_MIN_ODDS) -> np.ndarray:
  """The traits an explanation cites for each photo's top species: its supports with a positive
  contribution, strongest first (without contributions: its supports, most confident first).

  Args:
    probabilities: float [N, T], the photo's trait probabilities.
    rows: float [N, T], each photo's top species' row (NaN = empty cell).
    top_contributions: float [N, T], each trait's contribution to the top species (None where
      the species head does not read the traits).
    num_cited: the most traits cited.
    min_odds: see `judge`.

  Returns:
    int [N, num_cited], trait indices, -1 after the last one cited.
  """
  supports = judge(probabilities, rows, min_odds) == SUPPORTS
  if top_contributions is None:
    strength = np.abs(np.asarray(probabilities, np.float64) - 0.5)
  else:
    strength = np.asarray(top_contributions, np.float64)
    supports &= strength > 0
  order = np.argsort(-np.where(supports, strength, -np.inf), axis=-1, kind="stable")
  order = order[:, :num_cited]
  return np.where(np.take_along_axis(supports, order, axis=-1), order, -1)


def explain_predictions(task, params, species_logits, trait_logits, table: schema.TraitTable,
                        trust=None, top_k: int = 3, num_cited: int = 3, max_listed: int = 10,
                        min_odds: float = wording.DEFAULT_MIN_ODDS,
                        trait_phrases: Sequence[str | phrasing.Phrasing] | None = None
                        ) -> list[dict]:
  """One explanation record per photo (see the module docstring).

  Args:
    task: the task that made the predictions (its species head is read for contributions).
    params: its trained parameters.
    species_logits: float [N, S], the task's species logits on `table`'s rows.
    trait_logits: float [N, T].
    table: the species rows and names the logits cover (may hold species the task was not
      trained with, added as rows, for the heads that read rows).
    trust: None, or an object with species_probabilities(species_logits) and
      trait_probabilities(trait_logits) (e.g. fitted temperatures).
    top_k: species explained per photo.
    num_cited: the most traits cited.
    max_listed: the most traits in each supports / contradicts / unjudgeable list.
    min_odds: the odds at which the photo says a trait is present or absent (`judge`).
    trait_phrases: T `phrasing.Phrasing`s, or phrases to show as written (their absence worded
      from them); default `phrasing.trait_phrasings` of the trait names.

  Returns:
    N records of plain python types.
  """
  species_logits = np.asarray(species_logits, np.float64)
  trait_logits = np.asarray(trait_logits, np.float64)
  if species_logits.ndim != 2 or species_logits.shape[1] != table.num_species:
    raise ValueError(f"species_logits: expected [N, {table.num_species}] (the table's species), "
                     f"got shape {species_logits.shape}")
  if trait_logits.shape != (len(species_logits), table.num_traits):
    raise ValueError(f"trait_logits: expected [{len(species_logits)}, {table.num_traits}], got "
                     f"shape {trait_logits.shape}")
  if top_k < 1 or num_cited < 1 or max_listed < 1:
    raise ValueError(f"top_k, num_cited and max_listed must be >= 1, got {top_k}, {num_cited}, "
                     f"{max_listed}")
  if trust is None:
    species_p, trait_p = calibration.softmax(species_logits), calibration.sigmoid(trait_logits)
  else:
    species_p = np.asarray(trust.species_probabilities(species_logits), np.float64)
    trait_p = np.asarray(trust.trait_probabilities(trait_logits), np.float64)
  return explain_probabilities(task, params, species_p, trait_p,
                               calibration.sigmoid(trait_logits), table, top_k, num_cited,
                               max_listed, min_odds, trait_phrases)


def explain_probabilities(task, params, species_p, trait_p, head_probabilities,
                          table: schema.TraitTable, top_k: int = 3, num_cited: int = 3,
                          max_listed: int = 10, min_odds: float = wording.DEFAULT_MIN_ODDS,
                          trait_phrases: Sequence[str | phrasing.Phrasing] | None = None
                          ) -> list[dict]:
  """`explain_predictions` from probabilities rather than logits, e.g. those several photos
  of one plant combine to: species_p [N, S] and trait_p [N, T] (NaN: no evidence, judged
  unjudgeable) as the records state them, head_probabilities [N, T] what the species head
  reads (its contributions' input)."""
  species_p = np.asarray(species_p, np.float64)
  trait_p = np.asarray(trait_p, np.float64)
  trait_phrases = phrasing.as_phrasings(table.traits, trait_phrases)
  found = contributions_lib.task_contributions(task, params, head_probabilities, table.values)
  per_trait = (None if found is None
               else contributions_lib.relative_to_mean_species(found).per_trait)
  ranked = np.argsort(-species_p, axis=-1, kind="stable")[:, :top_k]
  top_contributions = None if per_trait is None else per_trait[np.arange(len(ranked)),
                                                                ranked[:, 0]]
  cited = cited_traits(trait_p, table.values[ranked[:, 0]], top_contributions, num_cited,
                       min_odds)
  records = []
  for n in range(len(species_p)):
    contributions_n = None if per_trait is None else per_trait[n]
    records.append(_record(ranked[n], species_p[n], trait_p[n], contributions_n, cited[n],
                           table, trait_phrases, max_listed, min_odds))
  return records


def _record(ranked: np.ndarray, species_p: np.ndarray, trait_p: np.ndarray,
            per_trait: np.ndarray | None, cited: np.ndarray, table: schema.TraitTable,
            trait_phrases: tuple[phrasing.Phrasing, ...], max_listed: int,
            min_odds: float) -> dict:
  """The record of one photo (see `explain_predictions`): its top species `ranked`, its
  species [S] and trait [T] probabilities, its contributions [S, T] (None where the species
  head does not read traits) and the traits it cites (`cited_traits`, -1 padded)."""
  values = table.values
  used = per_trait is not None
  cell = lambda k, t: None if np.isnan(values[k, t]) else float(values[k, t])

  def item(k, t):
    return {"name": table.traits[t], "phrase": trait_phrases[t].present,
            "probability": float(trait_p[t]), "row": cell(k, t),
            "contribution": float(per_trait[k, t]) if used else None}

  explained = []
  for k in ranked:
    strength = np.abs(per_trait[k]) if used else np.abs(trait_p - 0.5)
    order = np.argsort(-strength, kind="stable")
    verdicts = judge(trait_p, values[k], min_odds)
    lists = {name: [item(k, t) for t in order if verdicts[t] == verdict][:max_listed]
             for name, verdict in (("supports", SUPPORTS), ("contradicts", CONTRADICTS),
                                   ("unjudgeable", UNJUDGEABLE))}
    explained.append({"name": table.species[k], "probability": float(species_p[k]), **lists})
  runner_up = []
  if len(ranked) > 1:
    first, second = ranked[0], ranked[1]
    if used:
      separation = per_trait[first] - per_trait[second]
    else:
      separation = np.nan_to_num(np.abs(trait_p - values[second])
                                 - np.abs(trait_p - values[first]), nan=0.0)
    for t in np.argsort(-separation, kind="stable")[:len(cited)]:  # As many as may be cited.
      if separation[t] <= 0:
        break
      runner_up.append({**item(first, t), "row_runner_up": cell(second, t),
                        "contribution_runner_up": (float(per_trait[second, t]) if used
                                                   else None),
                        "separation": float(separation[t])})
  record = {
      "species": [{"name": table.species[k], "probability": float(species_p[k])}
                  for k in ranked],
      "traits": [{"name": name, "phrase": phrased.present, "absent_phrase": phrased.absent,
                  "probability": float(p)}
                 for name, phrased, p in zip(table.traits, trait_phrases, trait_p)],
      "explained_species": explained,
      "runner_up": runner_up,
      "cited": [table.traits[t] for t in cited if t >= 0],
      "traits_used_by_decision": used,
  }
  record["rationale"] = wording.rationale(record)
  record["description"] = wording.description_sentence(trait_p, table.traits, trait_phrases,
                                                       min_odds)
  return record
