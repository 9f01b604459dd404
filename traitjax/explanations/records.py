"""Per-photo explanation records: what the `explain` command writes and the `explanations`
evaluator measures.

A record (plain JSON types) holds:

- `species`: the `top_k` species, best first, each {name, display_name, probability} (`name`
  as the table has it, `display_name` as a person reads it: `phrasing.display_name`);
- `traits`: every trait {name, phrase, absent_phrase, probability}, as detected in the photo
  (`phrasing`: what a person reads when the photo shows it and when it lacks it);
- `explained_species`: for each top species {name, display_name, probability, supports,
  counts_against, not_used, unjudgeable}, lists of trait items {name, phrase, probability,
  row, contribution, role, fits_row}. `contribution` is the trait's exact share of the
  species' logit against the mean species (`contributions.relative_to_mean_species`), `role`
  what `roles.role` makes of it, the one meaning of "supports" and "counts against" that the
  text, the chart and the gallery share; `fits_row` whether the photo and the species' row
  agree (`judge`: true, false, or null where it cannot be judged). The lists:
    supports        the traits the photo judges (`judge` not UNJUDGEABLE) whose role is
                    `roles.SUPPORTS`, largest contribution first;
    counts_against  those whose role is `roles.COUNTS_AGAINST`, most negative first;
    not_used        those whose role is `roles.NOT_USED`: every judged trait where the
                    decision does not read the traits (most confident first), else none in
                    practice (a contribution of exactly 0);
    unjudgeable     the photo is not confident (odds below `min_odds` either way: with the
                    default 2, a probability strictly between 1/3 and 2/3), or the row's cell
                    is empty; largest |contribution| (or confidence) first;
  each cut to `max_listed`, the cited traits always kept;
- `runner_up`: the traits that most favour the first species over the second (largest
  contribution to the first minus contribution to the second, `separation`), each with both
  rows and both contributions; their `role` is that of the separation, the contribution against
  the runner-up (so `roles.SUPPORTS` for every one), traits with no evidence left out;
- `versus` (only when asked for a species): {name, display_name, probability, traits}, the
  traits that most favour the top species over that one, as `runner_up` has them (its row and
  contribution under `row_versus` and `contribution_versus`); none where it is the top species;
- `cited`: the names of the traits the explanation cites, its strongest supports of the top
  species whose photo and row agree, at most `num_cited` (each in the top species' `supports`,
  or `not_used` where the decision reads no traits); the deletion test of the `explanations`
  evaluator removes exactly these;
- `rationale`: one paragraph in plain words naming only traits of the record
  (`wording.rationale`);
- `description`: one sentence of what the photo shows, whatever the species
  (`wording.description_sentence`: the values of each trait group it confidently shows, e.g.
  "Mostly buildings, dense buildings, grey and red colour, no water.");
- `traits_used_by_decision`: False where the species head does not read the traits (the black
  box, slot models): contributions are then null, every role `roles.NOT_USED`, and `runner_up`
  ordered by how much better the first species' row fits the photo than the second's
  (`separation`, |p - row2| - |p - row1|).

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
from traitjax.explanations import roles
from traitjax.explanations import wording
from traitjax.metrics import calibration

# Whether the photo and a species' row agree on a trait (`judge`): a fact about the photo and
# the row, not what the trait does for the species (that is `roles.role`).
AGREES, DISAGREES, UNJUDGEABLE = 1, -1, 0


def judge(probabilities, rows, min_odds: float = wording.DEFAULT_MIN_ODDS) -> np.ndarray:
  """int8 [...]: AGREES, DISAGREES or UNJUDGEABLE for each trait probability of a photo against
  the matching cell of a species row (NaN = empty cell): they agree where the row says present
  (>= 0.5) and the photo says so confidently (odds `min_odds`), or the row says absent and the
  photo confidently does not show it; they disagree confidently either way; else (an unsure
  photo, an empty cell) the trait cannot be judged.
  """
  if min_odds < 1:
    raise ValueError(f"min_odds must be >= 1, got {min_odds}")
  p, rows = np.asarray(probabilities, np.float64), np.asarray(rows, np.float64)
  high, low = p >= min_odds / (1 + min_odds), p <= 1 / (1 + min_odds)
  says_present = np.nan_to_num(rows) >= 0.5
  known = np.isfinite(rows) & np.isfinite(p)
  agree = (says_present & high) | (~says_present & low)
  disagree = (says_present & low) | (~says_present & high)
  return np.where(known & agree, AGREES,
                  np.where(known & disagree, DISAGREES, UNJUDGEABLE)).astype(np.int8)


def cited_traits(probabilities, rows, top_contributions, num_cited: int,
                 min_odds: float = wording.DEFAULT_MIN_ODDS) -> np.ndarray:
  """The traits an explanation cites for each photo's top species: those the photo and its row
  agree on (`judge`) that support it (`roles.role`: a positive contribution), strongest first
  (without contributions: those it agrees on, most confident first).

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
  supports = judge(probabilities, rows, min_odds) == AGREES
  if top_contributions is None:
    strength = np.abs(np.asarray(probabilities, np.float64) - 0.5)
  else:
    strength = np.asarray(top_contributions, np.float64)
    supports &= roles.roles_of(strength) == roles.SUPPORTS
  order = np.argsort(-np.where(supports, strength, -np.inf), axis=-1, kind="stable")
  order = order[:, :num_cited]
  return np.where(np.take_along_axis(supports, order, axis=-1), order, -1)


def row_fit_separation(trait_p, first_rows, second_rows) -> np.ndarray:
  """How much better each trait of a photo fits the first species' row than the second's,
  |p - second| - |p - first| (NaN where either is unknown): what separates two species where
  the decision reads no traits."""
  return np.abs(trait_p - second_rows) - np.abs(trait_p - first_rows)


def explain_predictions(task, params, species_logits, trait_logits, table: schema.TraitTable,
                        trust=None, top_k: int = 3, num_cited: int = 3, max_listed: int = 10,
                        min_odds: float = wording.DEFAULT_MIN_ODDS,
                        trait_phrases: Sequence[str | phrasing.Phrasing] | None = None,
                        versus: int | None = None) -> list[dict]:
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
    max_listed: the most traits in each supports / counts_against / not_used / unjudgeable
      list (the cited traits kept beyond it).
    min_odds: the odds at which the photo says a trait is present or absent (`judge`).
    trait_phrases: T `phrasing.Phrasing`s, or phrases to show as written (their absence worded
      from them); default `phrasing.trait_phrasings` of the trait names.
    versus: a row of `table`: each record also says why its top species rather than that one
      (`versus`).

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
                               max_listed, min_odds, trait_phrases, versus)


def explain_probabilities(task, params, species_p, trait_p, head_probabilities,
                          table: schema.TraitTable, top_k: int = 3, num_cited: int = 3,
                          max_listed: int = 10, min_odds: float = wording.DEFAULT_MIN_ODDS,
                          trait_phrases: Sequence[str | phrasing.Phrasing] | None = None,
                          versus: int | None = None) -> list[dict]:
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
                           table, trait_phrases, max_listed, min_odds, versus))
  return records


def _record(ranked: np.ndarray, species_p: np.ndarray, trait_p: np.ndarray,
            per_trait: np.ndarray | None, cited: np.ndarray, table: schema.TraitTable,
            trait_phrases: tuple[phrasing.Phrasing, ...], max_listed: int,
            min_odds: float, versus: int | None = None) -> dict:
  """The record of one photo (see `explain_predictions`): its top species `ranked`, its
  species [S] and trait [T] probabilities, its contributions [S, T] (None where the species
  head does not read traits), the traits it cites (`cited_traits`, -1 padded) and, with
  `versus` (a row), `versus`."""
  values = table.values
  used = per_trait is not None
  cell = lambda k, t: None if np.isnan(values[k, t]) else float(values[k, t])
  most_separating = len(cited)  # As many as may be cited.
  cited = [int(t) for t in cited if t >= 0]
  confidence = np.nan_to_num(np.abs(trait_p - 0.5), nan=-1.0)
  fits = {AGREES: True, DISAGREES: False, UNJUDGEABLE: None}

  def item(k, t, verdict, contribution, role):
    return {"name": table.traits[t], "phrase": trait_phrases[t].present,
            "probability": float(trait_p[t]), "row": cell(k, t),
            "contribution": None if contribution is None else float(contribution),
            "role": str(role), "fits_row": fits[int(verdict)]}

  explained = []
  for k in ranked:
    contribution = per_trait[k] if used else np.full(len(trait_p), np.nan)
    role = roles.roles_of(contribution)
    verdicts = judge(trait_p, values[k], min_odds)
    judged = verdicts != UNJUDGEABLE
    strength = np.abs(contribution) if used else confidence
    by_list = {roles.SUPPORTS: -contribution, roles.COUNTS_AGAINST: contribution,
               roles.NOT_USED: -confidence}
    lists = {}
    for key, chosen, order_by in (
        *((name, judged & (role == name), by_list[name]) for name in roles.ROLES),
        ("unjudgeable", ~judged, -strength)):
      order = [t for t in np.argsort(order_by, kind="stable") if chosen[t]]
      kept = set(order[:max_listed]) | (set(cited) if k == ranked[0] else set())
      lists[key] = [item(k, t, verdicts[t], contribution[t] if used else None, role[t])
                    for t in order if t in kept]
    explained.append({"name": table.species[k],
                      "display_name": phrasing.display_name(table.species[k]),
                      "probability": float(species_p[k]), **lists})
  def contrast(second, other):
    """The traits that most favour the top species over `second`, each with `second`'s row
    and contribution under `row_<other>` and `contribution_<other>`."""
    first = ranked[0]
    if used:
      separation = np.where(np.isfinite(trait_p), per_trait[first] - per_trait[second], 0.0)
    else:
      separation = np.nan_to_num(row_fit_separation(trait_p, values[first], values[second]),
                                 nan=0.0)
    verdicts = judge(trait_p, values[first], min_odds)
    items = []
    for t in np.argsort(-separation, kind="stable")[:most_separating]:
      if separation[t] <= roles.NEGLIGIBLE:  # Float rounding favours neither.
        break
      role = roles.role(float(separation[t]) if used else None)
      items.append({**item(first, t, verdicts[t], per_trait[first, t] if used else None, role),
                    f"row_{other}": cell(second, t),
                    f"contribution_{other}": (float(per_trait[second, t]) if used else None),
                    "separation": float(separation[t])})
    return items

  record = {
      "species": [{"name": table.species[k], "display_name": phrasing.display_name(
          table.species[k]), "probability": float(species_p[k])} for k in ranked],
      "traits": [{"name": name, "phrase": phrased.present, "absent_phrase": phrased.absent,
                  "probability": float(p)}
                 for name, phrased, p in zip(table.traits, trait_phrases, trait_p)],
      "explained_species": explained,
      "runner_up": contrast(ranked[1], roles.RUNNER_UP) if len(ranked) > 1 else [],
      "cited": [table.traits[t] for t in cited],
      "traits_used_by_decision": used,
  }
  if versus is not None:
    record["versus"] = {"name": table.species[versus],
                        "display_name": phrasing.display_name(table.species[versus]),
                        "probability": float(species_p[versus]),
                        "traits": [] if versus == ranked[0] else contrast(versus, roles.VERSUS)}
  record["rationale"] = wording.rationale(record)
  record["description"] = wording.description_sentence(trait_p, table.traits, trait_phrases,
                                                       min_odds)
  return record
