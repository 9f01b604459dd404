"""Species descriptions in the style of a flora, written from a trait-table row.

Each trait value has several phrasings; each part (leaves, flowers, stem, fruit) gets one
sentence whose clauses come in a random order, and the sentences themselves are shuffled.
Cells that are NaN (the table says nothing) are not mentioned; absent traits are not mentioned.
Where the table marks several values of one group present, they are joined with "or".
"""

from __future__ import annotations

import numpy as np

# group -> value -> phrasings, each a clause that names its part or is unambiguous within the
# part's sentence.
PHRASES = {
    "leaf_shape": {
        "ovate": ["ovate", "egg-shaped"], "lanceolate": ["lanceolate", "lance-shaped"],
        "round": ["round", "orbicular"], "linear": ["linear", "narrow and strap-like"],
        "cordate": ["cordate", "heart-shaped"]},
    "leaf_margin": {
        "entire": ["margins entire", "with smooth margins"],
        "serrated": ["margins serrated", "with toothed margins"],
        "lobed": ["margins lobed", "deeply lobed"]},
    "leaf_arrangement": {
        "alternate": ["alternate", "arranged alternately"],
        "opposite": ["opposite", "in opposite pairs"],
        "whorled": ["whorled", "in whorls of three"]},
    "leaf_colour": {
        "light_green": ["pale green", "light green"], "dark_green": ["dark green", "deep green"],
        "purple": ["purplish", "purple-tinged"]},
    "petal_colour": {
        "white": ["with white petals", "creamy white"],
        "yellow": ["with yellow petals", "golden yellow"],
        "red": ["with red petals", "scarlet"], "purple": ["with purple petals", "violet"],
        "blue": ["with blue petals", "sky blue"], "orange": ["with orange petals", "tangerine"]},
    "petal_count": {
        "three": ["petals three", "3-petalled"], "four": ["petals four", "4-petalled"],
        "five": ["petals five", "5-petalled"], "six": ["petals six", "6-petalled"],
        "eight": ["petals eight", "8-petalled"]},
    "petal_shape": {
        "pointed": ["petal tips pointed", "with acute petals"],
        "rounded": ["petal tips rounded", "with broad rounded petals"],
        "notched": ["petal tips notched", "with notch-tipped petals"]},
    "flower_centre": {
        "yellow": ["with a yellow centre", "yellow-eyed"],
        "dark": ["with a dark centre", "dark-eyed"],
        "green": ["with a green centre", "green-eyed"]},
    "inflorescence": {
        "solitary": ["borne singly", "solitary"], "paired": ["borne in pairs", "paired"],
        "clustered": ["in clusters of three", "clustered"]},
    "stem_texture": {
        "smooth": ["smooth", "glabrous"], "hairy": ["hairy", "pubescent"],
        "thorny": ["thorny", "armed with thorns"]},
    "stem_colour": {"green": ["green", "green-stemmed"], "red": ["reddish", "red-brown"]},
    "fruit": {
        "berry": ["a cluster of berries", "berries"], "pod": ["an elongated pod", "pods"],
        "none": ["not seen", "absent"]},
}

SENTENCES = {
    "leaf": ["Leaves {}.", "The leaves are {}.", "Foliage {}."],
    "flower": ["Flowers {}.", "The flowers are {}.", "Blooms {}."],
    "stem": ["Stem {}.", "The stem is {}.", "Stems {}."],
    "fruit": ["Fruit {}.", "The fruit: {}.", "Fruiting: {}."],
}


def describe(row: np.ndarray, traits: tuple[str, ...], group_part: dict[str, str],
             rng: np.random.Generator) -> str:
  """Writes one description from a table row.

  Args:
    row: float32 [T] trait values in [0, 1] or NaN; values >= 0.5 are mentioned.
    traits: T names ``group::value``.
    group_part: group -> part name (a key of SENTENCES).
    rng: source of phrasing and order choices.
  """
  present: dict[str, list[str]] = {}
  for name, value in zip(traits, row):
    if np.isfinite(value) and value >= 0.5:
      group, trait_value = name.split("::")
      present.setdefault(group, []).append(trait_value)
  clauses: dict[str, list[str]] = {}
  for group, values in present.items():
    phrasing = [PHRASES[group][v][rng.integers(len(PHRASES[group][v]))] for v in values]
    clauses.setdefault(group_part[group], []).append(" or ".join(phrasing))
  sentences = []
  for part, part_clauses in clauses.items():
    order = rng.permutation(len(part_clauses))
    template = SENTENCES[part][rng.integers(len(SENTENCES[part]))]
    sentences.append(template.format(", ".join(part_clauses[i] for i in order)))
  return " ".join(sentences[i] for i in rng.permutation(len(sentences)))
