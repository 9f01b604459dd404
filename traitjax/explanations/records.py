"""Per-photo explanation records: what the `explain` command writes and the `explanations`
evaluator measures.

A record (plain JSON types) holds:

- `species`: the `top_k` species, best first, each {name, probability};
- `traits`: every trait {name, phrase, probability}, as detected in the photo;
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
- `rationale`: one paragraph in plain words naming only traits of the record;
- `description`: one sentence of what the photo shows, whatever the species
  (`description_sentence`: the values of each trait group it confidently shows, e.g. "Dense
  building density, street grid building layout, grey and red colour, no water form.");
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
from traitjax.language import phrases
from traitjax.metrics import calibration

# The odds at which the photo counts as saying a trait is present (p >= 2/3) or absent
# (p <= 1/3); in between it cannot judge the trait.
DEFAULT_MIN_ODDS = 2.0
SUPPORTS, CONTRADICTS, UNJUDGEABLE = 1, -1, 0


def judge(probabilities, rows, min_odds: float = DEFAULT_MIN_ODDS) -> np.ndarray:
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
                 min_odds: float = DEFAULT_MIN_ODDS) -> np.ndarray:
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


def _stated(phrase: str, present: bool) -> str:
  """The phrase as the photo shows it: "red crown", or "no red crown" when absent ("no fruit"
  absent is "fruit")."""
  if present:
    return phrase
  return phrase[3:] if phrase.startswith("no ") else f"no {phrase}"


def _listing(words: Sequence[str]) -> str:
  return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _percent(probability: float) -> str:
  return f"{100 * probability:.0f}%"


def _rationale(record: dict) -> str:
  """One paragraph naming only the record's cited, supporting, contradicting and runner-up
  traits."""
  first = record["explained_species"][0]
  traits = {trait["name"]: trait for trait in record["traits"]}
  shown = lambda name: _stated(traits[name]["phrase"], traits[name]["probability"] >= 0.5)
  cited = [shown(name) for name in record["cited"]]
  sentences = [f"Most likely {first['name']} ({_percent(first['probability'])})"
               + (f": {_listing(cited)}." if cited else "; no trait clearly supports it.")]
  seen = [traits[item["name"]]["phrase"] for item in first["supports"]
          if traits[item["name"]]["probability"] >= 0.5 and item["name"] not in record["cited"]
          and (item["contribution"] is None or item["contribution"] > 0)][:3]
  if seen:  # The strongest evidence may be what is missing; say what is there too.
    sentences.append(f"Also seen, as in its description: {_listing(seen)}.")
  against = [shown(item["name"]) for item in first["contradicts"][:2]]
  if against:
    sentences.append(f"Against it: {_listing(against)}.")
  if len(record["explained_species"]) > 1:
    second = record["explained_species"][1]
    separating = [shown(item["name"]) for item in record["runner_up"]]
    if separating:
      sentences.append(f"Not {second['name']} ({_percent(second['probability'])}): the photo "
                       f"shows {_listing(separating)}, which fit {first['name']} better.")
  if not record["traits_used_by_decision"]:
    sentences.append("The species decision does not read these traits; they are read off the "
                     "photo beside it.")
  return " ".join(sentences)


def description_sentence(probabilities, traits: Sequence[str],
                         trait_phrases: Sequence[str] | None = None,
                         min_odds: float = DEFAULT_MIN_ODDS, max_groups: int = 5,
                         max_absent: int = 2, max_values: int = 3) -> str:
  """One sentence of what a photo shows, from its trait probabilities [T] alone, for any
  vocabulary of ``group::value`` traits (`phrases.phrase_book`).

  A group is stated when the photo confidently shows one of its values (probability at least
  min_odds / (1 + min_odds), as `judge` says present): its values shown so, most likely first
  (at most `max_values`), those sharing a phrase around their value coordinated ("grey and red
  colour", "blue and white wings"). A value that says the part is missing (a phrase starting
  "no ", e.g. "no water form") is stated alone when it is the group's likeliest. The
  `max_groups` most confident groups that show something come first, then the `max_absent` most
  confident that show nothing, each in the vocabulary's order; nothing confident gives a
  sentence that says so.

  Args:
    probabilities: float [T], the photo's trait probabilities.
    traits: T trait names.
    trait_phrases: T phrases (default: the phrase book's); a phrase that does not contain its
      value's words is listed whole.
    min_odds: see `judge`.
    max_groups: the most groups stated as shown.
    max_absent: the most groups stated as missing.
    max_values: the most values stated per group.
  """
  probabilities = np.asarray(probabilities, np.float64)
  if probabilities.shape != (len(traits),):
    raise ValueError(f"probabilities: expected [{len(traits)}] (one per trait), got shape "
                     f"{probabilities.shape}")
  book = phrases.phrase_book(traits)
  trait_phrases = tuple(trait_phrases) if trait_phrases is not None else book.phrases
  present = min_odds / (1 + min_odds)
  shown, missing = [], []  # (confidence, group position, words)
  for position, group in enumerate(book.group_names()):
    members = [t for t in range(len(traits)) if book.groups[t] == group
               and np.isfinite(probabilities[t]) and probabilities[t] >= present]
    if not members:
      continue
    members.sort(key=lambda t: -probabilities[t])
    confidence = float(probabilities[members[0]])
    if trait_phrases[members[0]].startswith("no "):
      missing.append((confidence, position, trait_phrases[members[0]]))
      continue
    members = [t for t in members if not trait_phrases[t].startswith("no ")][:max_values]
    shown.append((confidence, position, _coordinated(
        [trait_phrases[t] for t in members], [book.values[t] for t in members])))
  chosen = [sorted(sorted(items, key=lambda item: -item[0])[:limit], key=lambda item: item[1])
            for items, limit in ((shown, max_groups), (missing, max_absent))]
  words = [text for items in chosen for _, _, text in items]
  if not words:
    return "No trait is clear in this photo."
  sentence = ", ".join(words)
  return sentence[0].upper() + sentence[1:] + "."


def _coordinated(trait_phrases: list[str], values: list[str]) -> str:
  """The phrases of one group's values as one: "grey and red colour" where every phrase is the
  same words around its value, else the phrases listed ("a, b and c")."""
  templates = set()
  for phrase, value in zip(trait_phrases, values):
    at = phrase.find(value) if value else -1
    templates.add((phrase[:at], phrase[at + len(value):]) if at >= 0 else None)
  if len(trait_phrases) > 1 and len(templates) == 1 and None not in templates:
    ((before, after),) = templates
    return before + _listing(values) + after
  return _listing(trait_phrases)


# Why an abstention was made, in plain words (`trust.REASONS`' values).
ABSTENTION_WORDS = {
    "unknown_species": "the traits it shows fit no known species well (a species missing from "
                       "the table, or a misleading photo)",
    "poor_photo": "too little of the photo can be judged (blurred, dark or cut off?)",
    "ambiguous": "several species share the probability",
}


def decision_sentence(decision: str | None, reason: str | None,
                      prediction_set: Sequence[str] | None, target_accuracy: float,
                      coverage: float) -> str:
  """The decision in plain words, and the conformal species set (meant to hold the true
  species of `coverage` of such photos) where there is one; "" when no trust was fitted."""
  if decision is None:
    return ""
  if decision == "identify":
    sentence = (f"Identified: it clears the threshold of trust at which "
                f"{_percent(target_accuracy)} of validation answers were right.")
  else:
    sentence = f"Not identified: {ABSTENTION_WORDS.get(reason, reason)}."
  if prediction_set:
    listed = ", ".join(prediction_set[:5]) + (
        f" and {len(prediction_set) - 5} more" if len(prediction_set) > 5 else "")
    sentence += f" Species set ({_percent(coverage)} coverage): {listed}."
  return sentence


def explain_predictions(task, params, species_logits, trait_logits, table: schema.TraitTable,
                        trust=None, top_k: int = 3, num_cited: int = 3, max_listed: int = 10,
                        min_odds: float = DEFAULT_MIN_ODDS,
                        trait_phrases: Sequence[str] | None = None) -> list[dict]:
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
    trait_phrases: T phrases (default `phrases.trait_phrase` of each trait name).

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
                          max_listed: int = 10, min_odds: float = DEFAULT_MIN_ODDS,
                          trait_phrases: Sequence[str] | None = None) -> list[dict]:
  """`explain_predictions` from probabilities rather than logits, e.g. those several photos
  of one plant combine to: species_p [N, S] and trait_p [N, T] (NaN: no evidence, judged
  unjudgeable) as the records state them, head_probabilities [N, T] what the species head
  reads (its contributions' input)."""
  species_p = np.asarray(species_p, np.float64)
  trait_p = np.asarray(trait_p, np.float64)
  trait_phrases = (tuple(trait_phrases) if trait_phrases is not None
                   else tuple(phrases.trait_phrase(name) for name in table.traits))
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
            trait_phrases: tuple[str, ...], max_listed: int, min_odds: float) -> dict:
  """The record of one photo (see `explain_predictions`): its top species `ranked`, its
  species [S] and trait [T] probabilities, its contributions [S, T] (None where the species
  head does not read traits) and the traits it cites (`cited_traits`, -1 padded)."""
  values = table.values
  used = per_trait is not None
  cell = lambda k, t: None if np.isnan(values[k, t]) else float(values[k, t])

  def item(k, t):
    return {"name": table.traits[t], "phrase": trait_phrases[t],
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
      "traits": [{"name": name, "phrase": phrase, "probability": float(p)}
                 for name, phrase, p in zip(table.traits, trait_phrases, trait_p)],
      "explained_species": explained,
      "runner_up": runner_up,
      "cited": [table.traits[t] for t in cited if t >= 0],
      "traits_used_by_decision": used,
  }
  record["rationale"] = _rationale(record)
  record["description"] = description_sentence(trait_p, table.traits, trait_phrases,
                                               min_odds)
  return record
