"""Whether an explanation record's text, JSON roles, chart colours and gallery say the same of
each trait (`traitjax.explanations.roles`): `disagreements` lists every place they do not."""

import html

from traitjax.explanations import roles
from traitjax.explanations import wording

LISTS = ("supports", "counts_against", "not_used", "unjudgeable")


def disagreements(record: dict, drawn_colours: list[str] | None = None,
                  page: str | None = None) -> list[str]:
  """Every disagreement within one record (NAME.json of a photo or a plant):

  - JSON: an item whose `role` is not `roles.role` of its contribution (of its separation,
    against the runner-up or the species asked for, in `runner_up` and `versus`), or that
    sits in another role's list; a cited trait that does not support the top species;
  - text: a sentence of `wording.rationale_parts` missing from the rationale, one that names a
    trait in another role than the JSON's, a role sentence (`roles.SENTENCE_OPENINGS`) in the
    text that no part accounts for, or a trait phrase left in a role sentence that the part does
    not name;
  - chart (`record["chart"]`): a bar whose colour is not its role's, or whose role is not the
    trait's role in the JSON; `drawn_colours`, the colours the figure drew, other than the
    chart's;
  - gallery (`page`, its HTML): a trait of a role sentence not shown in its role's colour.
  """
  found = []
  used = record["traits_used_by_decision"]
  first = record["explained_species"][0]
  for explained in record["explained_species"]:
    for key in LISTS:
      for item in explained[key]:
        if item["role"] != roles.role(item["contribution"]):
          found.append(f"{explained['name']} {key} {item['name']}: role {item['role']} but "
                       f"contribution {item['contribution']}")
        if key in roles.ROLES and item["role"] != key:
          found.append(f"{explained['name']}: {item['name']} listed in {key} with role "
                       f"{item['role']}")
  contrast_role = {roles.RUNNER_UP: {}, roles.VERSUS: {}}
  for against, items in ((roles.RUNNER_UP, record["runner_up"]),
                         (roles.VERSUS, (record.get("versus") or {}).get("traits", ()))):
    for item in items:
      contrast_role[against][item["name"]] = item["role"]
      if item["role"] != roles.role(item["separation"] if used else None):
        found.append(f"{against} {item['name']}: role {item['role']} but separation "
                     f"{item['separation']}")
  role_of = {item["name"]: item["role"] for key in LISTS for item in first[key]}
  for name in record["cited"]:
    if role_of.get(name) != (roles.SUPPORTS if used else roles.NOT_USED):
      found.append(f"cited {name} has role {role_of.get(name)}")
  found += _text_disagreements(record, role_of, contrast_role)
  chart = record["chart"]["bars"]
  for bar in chart:
    if bar["colour"] != roles.COLOURS[bar["role"]]:
      found.append(f"chart {bar['name']}: {bar['role']} drawn {bar['colour']}")
    if used and bar["role"] != role_of.get(bar["name"]):
      found.append(f"chart {bar['name']}: {bar['role']}, JSON {role_of.get(bar['name'])}")
    if not used and bar["role"] != roles.NOT_USED:
      found.append(f"chart {bar['name']}: {bar['role']} where the decision reads no traits")
  if drawn_colours is not None and drawn_colours != [bar["colour"] for bar in chart]:
    found.append(f"drawn {drawn_colours}, chart {[bar['colour'] for bar in chart]}")
  if page is not None:
    phrase = {t["name"]: wording.stated(t) for t in record["traits"]}
    for part in wording.rationale_parts(record):
      if part.compared_with != roles.MEAN_SPECIES:
        continue
      for name in part.names:
        shown = f'<span class="role-{part.role}">{html.escape(phrase[name])}</span>'
        if shown not in page:
          found.append(f"gallery: {name} not shown as {part.role}")
  return found


def _text_disagreements(record: dict, role_of: dict, contrast_role: dict) -> list[str]:
  """The text's disagreements (see `disagreements`)."""
  found = []
  text = record["rationale"]
  traits = {t["name"]: t for t in record["traits"]}
  parts = wording.rationale_parts(record)
  for part in parts:
    sentence = wording.part_sentence(part, record)
    if sentence not in text:
      found.append(f"text lacks {sentence!r}")
    for name in part.names:
      given = contrast_role.get(part.compared_with, role_of).get(name)
      if given != (part.role or roles.NOT_USED):
        found.append(f"text names {name} as {part.role}, JSON {given}")
    if part.compared_with == roles.MEAN_SPECIES:
      # What is left of the sentence once its own traits are taken out names no other trait.
      rest = sentence[len(part.opening):]
      for name in sorted(part.names, key=lambda n: -len(traits[n]["phrase"])):
        rest = rest.replace(traits[name].get("absent_phrase") or "\0", "")
        rest = rest.replace(traits[name]["phrase"], "")
      stray = [t["name"] for t in record["traits"] if t["phrase"] in rest]
      if stray:
        found.append(f"{part.opening!r} also names {stray}")
  for role, opening in roles.SENTENCE_OPENINGS.items():
    expected = sum(p.opening == opening for p in parts)
    if text.count(f"{opening}:") != expected:
      found.append(f"text has {text.count(opening + ':')} {opening!r}, parts {expected}")
    if expected and not all(p.role == role for p in parts if p.opening == opening):
      found.append(f"{opening!r} opens a part of another role")
  return found
