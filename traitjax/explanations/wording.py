"""Every sentence of an explanation a person reads: a record's rationale, what the photo shows,
the decision, and the evidence behind the trust with its warnings (each trait in its present or
absent phrase, `phrasing`; each species by its display name, `phrasing.display_name`).

A photo *shows* a trait when its probability reaches the odds `DEFAULT_MIN_ODDS` (p >= 2/3),
*lacks* it at the inverse odds (p <= 1/3), and cannot tell in between; `records.judge` reads a
photo against a species' row the same way. A rationale says a trait "supports" or "counts
against" a species only as `roles.role` says (the sign of its contribution), the words of
`roles.SENTENCE_OPENINGS`; `rationale_parts` gives its sentences with the role of their traits,
so that the text can be checked against the record and the chart.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence

import numpy as np

from traitjax.data import schema
from traitjax.explanations import phrasing
from traitjax.explanations import roles

# The odds at which the photo counts as saying a trait is present (p >= 2/3) or absent
# (p <= 1/3); in between it cannot judge the trait.
DEFAULT_MIN_ODDS = 2.0
# The most traits the photo shows that a rationale names for its species (cited ones first).
MOST_SHOWN = 3


def listing(words: Sequence[str]) -> str:
  return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def percent(probability: float) -> str:
  return f"{100 * probability:.0f}%"


class Part(NamedTuple):
  """One sentence of a rationale that lists traits: its opening (before the colon), the role
  every trait it names has (`roles`; None: a sentence about rows, not roles) and the names of
  its traits, in the order the rationale chose them; `compared_with`: what the role is
  against (`roles.MEAN_SPECIES`, as the chart draws it, or `roles.RUNNER_UP`; "" for a
  sentence about the top species' row); `compares`:
  whether the sentence says how the top species' row compares (`comparison`), False where the
  opening says it."""

  opening: str
  role: str | None
  names: tuple[str, ...]
  compared_with: str = ""
  compares: bool = True


def display_name(species: dict) -> str:
  """How the text names a species of a record: its `display_name`, else one made from its
  name (`phrasing.display_name`)."""
  return species.get("display_name") or phrasing.display_name(species["name"])


# How a figure or page marks a species of a record known from its row alone.
ADDED_SPECIES_NOTE = "added from a description, never trained on photos"


def marked_name(species: dict) -> str:
  """`display_name`, with `ADDED_SPECIES_NOTE` after a species `added_from_description`."""
  note = f" ({ADDED_SPECIES_NOTE})" if species.get("added_from_description") else ""
  return display_name(species) + note


def rationale_parts(record: dict) -> list[Part]:
  """The sentences of `rationale` that list traits, each with the role its traits have.

  Where the decision reads the traits: "Supports it" names the cited traits and the strongest
  other supports the photo shows (at most `MOST_SHOWN` shown ones in all), "Counts against it"
  the two strongest traits that count against the top species, and "Not <runner-up>" the
  traits that count more for the top species than for the runner-up (`roles.SUPPORTS` against
  the runner-up); "Rather than <species>" the same against a species the user named (`versus`).
  Where it does not, traits fit or differ from the top species' row instead (no role:
  `roles.NOT_USED`).
  """
  first = record["explained_species"][0]
  traits = {trait["name"]: trait for trait in record["traits"]}
  used = record["traits_used_by_decision"]
  if used:
    listed = first["supports"]
    keep = lambda item: item["role"] == roles.SUPPORTS
  else:
    listed = first["not_used"]
    keep = lambda item: item.get("fits_row") is True
  candidates = {item["name"]: item for item in listed if keep(item)}
  cited = [name for name in record["cited"] if name in candidates]
  shown_cited = [name for name in cited if _shows(traits[name])]
  # The strongest evidence may be what is missing: name what is there too, before it.
  seen = [name for name in candidates if _shows(traits[name]) and name not in cited]
  named = shown_cited + seen[:max(0, MOST_SHOWN - len(shown_cited))]
  named += [name for name in cited if not _shows(traits[name])]
  name = display_name(first)
  parts = []
  if used:
    parts.append(Part(roles.SENTENCE_OPENINGS[roles.SUPPORTS], roles.SUPPORTS,
                      _shown_first(named, traits), roles.MEAN_SPECIES))
    against = [item["name"] for item in first["counts_against"]
               if item["role"] == roles.COUNTS_AGAINST][:2]
    parts.append(Part(roles.SENTENCE_OPENINGS[roles.COUNTS_AGAINST], roles.COUNTS_AGAINST,
                      _shown_first(against, traits), roles.MEAN_SPECIES))
  else:
    parts.append(Part(f"Fits {name}'s description", None, _shown_first(named, traits),
                      compares=False))
    differs = [item["name"] for item in first["not_used"] if item.get("fits_row") is False][:2]
    parts.append(Part(f"Unlike {name}'s description", None, _shown_first(differs, traits),
                      compares=False))
  if len(record["explained_species"]) > 1:
    second = record["explained_species"][1]
    runner_up = f"Not {display_name(second)} ({percent(second['probability'])})"
    if used:
      parts.append(Part(f"{runner_up}: these count more for {name} than for "
                        f"{display_name(second)}",
                        roles.SUPPORTS,
                        _shown_first([item["name"] for item in record["runner_up"]
                                      if item["role"] == roles.SUPPORTS], traits),
                        roles.RUNNER_UP))
    else:
      parts.append(Part(f"{runner_up}: the photo fits {name}'s description better in",
                        None, _shown_first([item["name"] for item in record["runner_up"]],
                                           traits), roles.RUNNER_UP))
  versus = record.get("versus")
  if versus and versus["traits"]:
    other = f"{display_name(versus)} ({percent(versus['probability'])})"
    names = _shown_first([item["name"] for item in versus["traits"]
                          if not used or item["role"] == roles.SUPPORTS], traits)
    parts.append(Part(f"Rather than {other}: these count more for {name} than for "
                      f"{display_name(versus)}", roles.SUPPORTS, names, roles.VERSUS) if used
                 else Part(f"Rather than {other}: the photo fits {name}'s description better in",
                           None, names, roles.VERSUS))
  return [part for part in parts if part.names]


def part_sentence(part: Part, record: dict) -> str:
  """The sentence of a `Part`: its opening, a colon and its traits, in clauses by how each
  compares with the top species' row (`comparison`, always said in a sentence against the
  species): those the photo shows (as the row has them, unlike it, like it), then those it
  lacks (like the row, unlike it, with no row), neighbouring clauses of one comparison joined,
  the clauses parted by semicolons: "Supports it: red crest; no yellow belly and no long tail,
  like Northern Cardinal.". Each trait as `stated`."""
  first = record["explained_species"][0]
  traits = {trait["name"]: trait for trait in record["traits"]}
  rows = _rows(record) if part.compares else {}
  name = display_name(first)
  # Against the species, even what the photo shows as the row has it is worth saying.
  always = part.role == roles.COUNTS_AGAINST
  groups = []  # (comparison, words), neighbours of one comparison joined into one.
  for shows in (True, False):
    for compared in ((None, "unlike", "like") if shows else ("like", "unlike", None)):
      words = [stated(traits[t]) for t in part.names if _shows(traits[t]) == shows
               and comparison(traits[t], rows.get(t), always) == compared]
      if words and groups and groups[-1][0] == compared:
        groups[-1][1].extend(words)
      elif words:
        groups.append((compared, words))
  clauses = [listing(words) + (f", {compared} {name}" if compared else "")
             for compared, words in groups]
  return f"{part.opening}: {'; '.join(clauses)}."


def rationale(record: dict) -> str:
  """One paragraph naming only the record's cited and listed traits: the top species, then the
  sentences of `rationale_parts` (`part_sentence`: what the photo shows first, then what it
  lacks, worded as absent, each with how the species' row compares)."""
  first = record["explained_species"][0]
  parts = rationale_parts(record)
  opening = f"Most likely {display_name(first)} ({percent(first['probability'])})"
  supports = roles.SENTENCE_OPENINGS[roles.SUPPORTS]
  if record["traits_used_by_decision"] and not any(p.opening == supports for p in parts):
    opening += "; no trait the photo clearly shows supports it"
  sentences = [opening + "."] + [part_sentence(part, record) for part in parts]
  if not record["traits_used_by_decision"]:
    sentences.append("The species decision does not read these traits; they are read off the "
                     "photo beside it.")
  return " ".join(sentences)


def stated(trait: dict) -> str:
  """A trait as the photo shows it (a record's trait: phrase, absent_phrase, probability): its
  phrase where the photo shows it (probability >= 0.5), else its absent phrase."""
  if _shows(trait):
    return trait["phrase"]
  return trait.get("absent_phrase") or phrasing.absent_phrase(trait["phrase"])


def stated_probability(trait: dict) -> float | None:
  """How sure the photo is of what `stated` says: the trait's probability where it shows it,
  one minus it where it lacks it (None: no evidence)."""
  if trait["probability"] is None:
    return None
  return trait["probability"] if _shows(trait) else 1 - trait["probability"]


def comparison(trait: dict, row: float | None, always: bool = False) -> str | None:
  """How a species' `row` cell compares with what the photo shows of a trait, where a reader
  needs telling: "like" where the photo lacks it as the row does ("no yellow belly, like
  Northern Cardinal"), "unlike" where they differ; None where the cell is empty, and where the
  photo shows what the row has (it goes without saying) unless `always`."""
  if row is None or (_shows(trait) and row >= 0.5 and not always):
    return None
  return "like" if _shows(trait) == (row >= 0.5) else "unlike"


def _shows(trait: dict) -> bool:
  """Whether the photo shows the trait (probability >= 0.5; None, no evidence: no)."""
  return trait["probability"] is not None and trait["probability"] >= 0.5


def _shown_first(names: Sequence[str], traits: dict) -> tuple[str, ...]:
  """`names`, those the photo shows first, then those it lacks, each in its order."""
  return (tuple(n for n in names if _shows(traits[n]))
          + tuple(n for n in names if not _shows(traits[n])))


def _rows(record: dict) -> dict:
  """The top species' row cell of each trait a record lists (None: empty)."""
  first = record["explained_species"][0]
  rows = {}
  for key in ("supports", "counts_against", "not_used", "unjudgeable"):
    rows.update({item["name"]: item.get("row") for item in first.get(key, ())})
  rows.update({item["name"]: item.get("row") for item in record.get("runner_up", ())})
  rows.update({item["name"]: item.get("row")
               for item in (record.get("versus") or {}).get("traits", ())})
  return rows


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
# An `unknown_species` abstention where species were added from their descriptions.
OPEN_WORLD_DECLINE = "it fits no species I know, trained or described"


def decision_sentence(decision: str | None, reason: str | None,
                      prediction_set: Sequence[str] | None, target_accuracy: float,
                      coverage: float, num_fit: int | None = None, fit_split: str = "",
                      with_added_species: bool = False) -> str:
  """The decision in plain words, and the conformal species set (meant to hold the true
  species of `coverage` of such photos; its species as `phrasing.display_name` shows them)
  where there is one; "" when no trust was fitted. An identification names what its threshold
  was fitted on (`num_fit` photos of `fit_split`) where given; `with_added_species` (species
  added from descriptions compete) words an unknown_species decline as `OPEN_WORLD_DECLINE`."""
  if decision is None:
    return ""
  if decision == "identify":
    fitted_on = (f"on the {num_fit} {fit_split} photos the trust was fitted on"
                 if num_fit is not None else "on the validation photos")
    sentence = (f"Identified: it clears the threshold of trust above which "
                f"{percent(target_accuracy)} of the answers {fitted_on} were right.")
  else:
    words = (OPEN_WORLD_DECLINE if with_added_species and reason == "unknown_species"
             else ABSTENTION_WORDS.get(reason, reason))
    sentence = f"Not identified: {words}."
  if prediction_set:
    shown = [phrasing.display_name(name) for name in prediction_set]
    listed = ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
    sentence += f" Species set ({percent(coverage)} coverage): {listed}."
  return sentence


def trust_sentence(evidence: Mapping) -> str:
  """The evidence behind the trust in one sentence (`trust_evidence`: what it was fitted on,
  then what was measured on held-out photos), e.g. "Trust fitted on 300 val photos; on the
  test photos the model was 90% right, its calibration error (ECE) was 0.023 and its species
  sets held the true species 96% of the time."."""
  sentence = f"Trust fitted on {evidence['num_fit']} {evidence['fit_split']} photos"
  measured = []
  if evidence.get("test_accuracy") is not None:
    measured.append(f"the model was {percent(evidence['test_accuracy'])} right")
  if evidence.get("ece") is not None:
    measured.append(f"its calibration error (ECE) was {evidence['ece']:.3f}")
  if evidence.get("conformal_coverage") is not None:
    measured.append(f"its species sets held the true species "
                    f"{percent(evidence['conformal_coverage'])} of the time")
  if measured:
    sentence += f"; on the {evidence.get('evaluated_on') or 'held-out'} photos " + listing(
        measured)
  return sentence + "."


def trust_warnings(evidence: Mapping, target_accuracy: float, small_fit: int,
                   unlike_quantile: float) -> list[str]:
  """Plain warnings about the trust behind a verdict (`trust_evidence`): a fit of fewer than
  `small_fit` photos, no threshold reaching `target_accuracy`, species sets that hold every
  species, a photo whose traits fit its
  species worse than all but `unlike_quantile` of the fit's photos answered right (or no such
  photo to compare with), and no held-out measure."""
  split, num_fit = evidence["fit_split"], evidence["num_fit"]
  warnings = []
  if num_fit < small_fit:
    warnings.append(f"Caution: the trust was fitted on only {num_fit} {split} photos (fewer "
                    f"than {small_fit}), so its probabilities, threshold and species sets rest "
                    f"on few answers.")
  if not evidence["threshold_reached"]:
    warnings.append(f"No threshold of trust reached {percent(target_accuracy)} accuracy on "
                    f"the {split} photos, so every answer is declined.")
  if not evidence.get("sets_narrowed", True):
    warnings.append(f"The species sets hold every species: {num_fit} {split} photos are too "
                    f"few to narrow them.")
  if "unlike_fit" in evidence:
    if evidence["unlike_fit"] is None:
      warnings.append(f"Whether this photo is unlike the {split} photos cannot be told: the "
                      f"model answered none of them right.")
    elif evidence["unlike_fit"] < unlike_quantile:
      warnings.append(f"Caution: this photo's traits fit its species worse than those of "
                      f"{percent(1 - unlike_quantile)} of the {split} photos answered right; "
                      f"it may show a species or a kind of photo the trust never saw.")
  if all(evidence.get(k) is None for k in ("test_accuracy", "ece", "conformal_coverage")):
    warnings.append("No held-out measure of the model was found (the run's metrics.json), so "
                    "how often it is right is unknown.")
  return warnings
