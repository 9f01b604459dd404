"""Every sentence of an explanation a person reads: a record's rationale, what the photo shows,
and the decision (each trait in its present or absent phrase, `phrasing`).

A photo *shows* a trait when its probability reaches the odds `DEFAULT_MIN_ODDS` (p >= 2/3),
*lacks* it at the inverse odds (p <= 1/3), and cannot tell in between; `records.judge` reads a
photo against a species' row the same way.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from traitjax.data import schema
from traitjax.explanations import phrasing

# The odds at which the photo counts as saying a trait is present (p >= 2/3) or absent
# (p <= 1/3); in between it cannot judge the trait.
DEFAULT_MIN_ODDS = 2.0
# The most traits the photo shows that a rationale names for its species (cited ones first).
MOST_SHOWN = 3


def listing(words: Sequence[str]) -> str:
  return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def percent(probability: float) -> str:
  return f"{100 * probability:.0f}%"


def rationale(record: dict) -> str:
  """One paragraph naming only the record's cited, supporting, contradicting and runner-up
  traits: in each list the traits the photo shows come first, those it lacks after them, worded
  as absent ("yellow belly and no red crown")."""
  first = record["explained_species"][0]
  traits = {trait["name"]: trait for trait in record["traits"]}
  shows = lambda name: traits[name]["probability"] >= 0.5
  cited_shown = [name for name in record["cited"] if shows(name)]
  # The strongest evidence may be what is missing: name what is there too, before it.
  seen = [item["name"] for item in first["supports"]
          if shows(item["name"]) and item["name"] not in record["cited"]
          and (item["contribution"] is None or item["contribution"] > 0)]
  named = cited_shown + seen[:max(0, MOST_SHOWN - len(cited_shown))]
  named += [name for name in record["cited"] if not shows(name)]
  sentences = [f"Most likely {first['name']} ({percent(first['probability'])})"
               + (f": {listing(_stated(named, traits))}." if named
                  else "; no trait clearly supports it.")]
  against = [item["name"] for item in first["contradicts"][:2]]
  if against:
    sentences.append(f"Against it: {listing(_stated(against, traits))}.")
  if len(record["explained_species"]) > 1:
    second = record["explained_species"][1]
    separating = [item["name"] for item in record["runner_up"]]
    if separating:
      sentences.append(f"Not {second['name']} ({percent(second['probability'])}), since what "
                       f"the photo shows fits {first['name']} better: "
                       f"{listing(_stated(separating, traits))}.")
  if not record["traits_used_by_decision"]:
    sentences.append("The species decision does not read these traits; they are read off the "
                     "photo beside it.")
  return " ".join(sentences)


def _stated(names: Sequence[str], traits: dict) -> list[str]:
  """The traits as the photo shows them, those it shows (probability >= 0.5) first, then those
  it lacks in their absent phrase ("absent_phrase" of the record's trait, else worded from its
  phrase)."""
  shown = [traits[name]["phrase"] for name in names if traits[name]["probability"] >= 0.5]
  lacked = [traits[name].get("absent_phrase") or phrasing.absent_phrase(traits[name]["phrase"])
            for name in names if not traits[name]["probability"] >= 0.5]
  return shown + lacked


def description_sentence(probabilities, traits: Sequence[str],
                         trait_phrases: Sequence[str | phrasing.Phrasing] | None = None,
                         min_odds: float = DEFAULT_MIN_ODDS, max_groups: int = 5,
                         max_absent: int = 2, max_values: int = 3) -> str:
  """One sentence of what a photo shows, from its trait probabilities [T] alone, for any
  vocabulary of ``group::value`` traits, in the traits' present phrases (`phrasing`).

  A group is stated when the photo confidently shows one of its values (probability at least
  min_odds / (1 + min_odds), as `records.judge` says present): its values shown so, most likely
  first (at most `max_values`), those sharing a phrase around their value coordinated ("grey and red
  colour", "blue and white wings"). A value that says the part is missing (a phrase starting "no ",
  e.g. "no water") is stated alone when it is the group's likeliest. The `max_groups` most
  confident groups that show something come first, then the `max_absent` most confident that show
  nothing, each in the vocabulary's order; nothing confident gives a sentence that says so.

  Args:
    probabilities: float [T], the photo's trait probabilities.
    traits: T trait names.
    trait_phrases: T `phrasing.Phrasing`s or phrases to show as written (default
      `phrasing.trait_phrasings` of the names); a phrase that does not contain its value's words
      is listed whole.
    min_odds: see `records.judge`.
    max_groups: the most groups stated as shown.
    max_absent: the most groups stated as missing.
    max_values: the most values stated per group.
  """
  probabilities = np.asarray(probabilities, np.float64)
  if probabilities.shape != (len(traits),):
    raise ValueError(f"probabilities: expected [{len(traits)}] (one per trait), got shape "
                     f"{probabilities.shape}")
  trait_phrases = [p.present for p in phrasing.as_phrasings(traits, trait_phrases)]
  values = [phrasing.value_text(name) for name in traits]
  groups = [schema.group_of(name) for name in traits]
  present = min_odds / (1 + min_odds)
  shown, missing = [], []  # (confidence, group position, words)
  for position, group in enumerate(dict.fromkeys(groups)):
    members = [t for t in range(len(traits)) if groups[t] == group
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
        [trait_phrases[t] for t in members], [values[t] for t in members])))
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
    return before + listing(values) + after
  return listing(trait_phrases)


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
                f"{percent(target_accuracy)} of validation answers were right.")
  else:
    sentence = f"Not identified: {ABSTENTION_WORDS.get(reason, reason)}."
  if prediction_set:
    listed = ", ".join(prediction_set[:5]) + (
        f" and {len(prediction_set) - 5} more" if len(prediction_set) > 5 else "")
    sentence += f" Species set ({percent(coverage)} coverage): {listed}."
  return sentence
