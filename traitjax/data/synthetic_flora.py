"""Synthetic flora: a procedural stand-in for field photos whose ground truth is known.

A *flora* is a set of species, each a distribution over trait values (12 groups, 42 binary
traits, each drawn on one part of the plant). Species come in fine-grained pairs that differ in
one or two trait groups; some trait groups vary within a species. Training images follow a long
tail; val/test are balanced; a share of species is held out of training entirely (zero-shot).

Photos are rendered on the fly from (seed, split, index), so the source is random access,
deterministic and needs no disk. Alongside each photo the source gives what the photo shows:
`traits_visible` (NaN where the carrying part is out of frame or hidden), keypoints and the
applied degradation. The labels a model trains on (`traits`) come from a noisy species-level
table imitating traits text-mined from descriptions; the description of each species is written
from that same noisy table.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from typing import ClassVar

import numpy as np

from traitjax.data import degrade
from traitjax.data import flora_render
from traitjax.data import flora_text
from traitjax.data import schema
from traitjax.data import settings
from traitjax.data import vocabulary

# (group, part it is drawn on, values). Binary traits are `group::value`.
TRAIT_GROUPS = (
    ("leaf_shape", "leaf", ("ovate", "lanceolate", "round", "linear", "cordate")),
    ("leaf_margin", "leaf", ("entire", "serrated", "lobed")),
    ("leaf_arrangement", "leaf", ("alternate", "opposite", "whorled")),
    ("leaf_colour", "leaf", ("light_green", "dark_green", "purple")),
    ("petal_colour", "flower", ("white", "yellow", "red", "purple", "blue", "orange")),
    ("petal_count", "flower", ("three", "four", "five", "six", "eight")),
    ("petal_shape", "flower", ("pointed", "rounded", "notched")),
    ("flower_centre", "flower", ("yellow", "dark", "green")),
    ("inflorescence", "flower", ("solitary", "paired", "clustered")),
    ("stem_texture", "stem", ("smooth", "hairy", "thorny")),
    ("stem_colour", "stem", ("green", "red")),
    ("fruit", "fruit", ("berry", "pod", "none")),
)
TRAIT_NAMES = tuple(f"{g}::{v}" for g, _, values in TRAIT_GROUPS for v in values)
GROUP_PART = {g: part for g, part, _ in TRAIT_GROUPS}
SPLITS = ("train", "val", "test", "zeroshot")
_SPLIT_CODE = {name: i for i, name in enumerate(SPLITS)}
_GROUP_OFFSETS = np.cumsum([0] + [len(v) for _, _, v in TRAIT_GROUPS])
# For every binary trait, the index of the part that carries it.
TRAIT_PART = np.array([flora_render.PART_NAMES.index(part)
                       for _, part, values in TRAIT_GROUPS for _ in values])

_SKIES = ((200, 215, 232), (184, 204, 170), (222, 212, 192), (170, 190, 205))
_GROUNDS = ((122, 100, 70), (92, 112, 62), (150, 140, 120), (105, 85, 70))
_GENUS_SYLLABLES = ("pe", "ta", "lo", "ri", "ca", "mo", "sa", "vi", "ne", "du", "fa", "gro")
_EPITHETS = {"white": "alba", "yellow": "lutea", "red": "rubra", "purple": "purpurea",
             "blue": "caerulea", "orange": "aurantiaca"}


@dataclasses.dataclass(frozen=True)
class Config:
  """Knobs of the benchmark (see configs/default.py for the defaults in use).

  difficulty in [0, 1] scales pose and scale variation, background clutter, flower-coloured
  distractors, lighting, sensor noise and occlusion together.
  """

  seed: int = 0
  image_size: int = 64
  num_species: int = 200
  zeroshot_fraction: float = 0.2
  max_train_per_species: int = 300
  imbalance: float = 100.0
  val_per_species: int = 5
  test_per_species: int = 10
  zeroshot_per_species: int = 10
  difficulty: float = 0.5
  variable_group_fraction: float = 0.3
  degraded_fraction: float = 0.3
  false_positive: float = 0.0
  false_negative: float = 0.0
  missing: float = 0.0
  graded_table: bool = False  # the label table keeps each species' trait frequencies

  def __post_init__(self):
    if not 32 <= self.image_size <= 512:
      raise ValueError(f"image_size must lie in [32, 512], got {self.image_size}")
    if self.num_species < 4 or self.num_species % 2:
      raise ValueError(f"num_species must be even and >= 4, got {self.num_species}")
    for name in ("zeroshot_fraction", "difficulty", "variable_group_fraction",
                 "degraded_fraction", "false_positive", "false_negative", "missing"):
      if not 0.0 <= getattr(self, name) <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)}")
    if self.imbalance < 1 or self.max_train_per_species < self.imbalance:
      raise ValueError("need 1 <= imbalance <= max_train_per_species")

  # No file or folder: the flora is drawn from its seed.
  PATH_FIELDS: ClassVar[tuple[str, ...]] = ()

  @classmethod
  def from_config(cls, config) -> Config:
    """From a mapping or ConfigDict with (a subset of) these fields; other keys are refused."""
    return cls(**settings.config_items(config, cls, "synthetic flora"))

  def splits(self) -> tuple[str, ...]:
    return SPLITS


def source(config: Config, split: str) -> FloraSource:
  """The grain source of `split`; the flora is drawn once per setting (`_flora`)."""
  return FloraSource(_flora(config), split)


@functools.lru_cache(maxsize=4)
def _flora(config: Config) -> Flora:
  return Flora(config)


class Flora:
  """The species of one benchmark instance, their tables, descriptions and splits.

  Attributes:
    config: its settings.
    main: int [S, G] each species' usual value per trait group.
    alternative: int [S, G] the value shown instead, with probability 1 - fidelity.
    fidelity: float [S, G] probability that a photo shows the usual value.
    truth_table: TraitTable, P(trait shown) per species (the clean, graded truth).
    label_table: TraitTable, the noisy table models are trained on: binary, or with
      `graded_table` the truth's frequencies.
    descriptions: one text per species, written from the label table.
    seen_species: bool [S]; False for zero-shot species.
    species_train_counts: int [S] training images per species.
  """

  def __init__(self, config: Config):
    self.config = config
    rng = np.random.default_rng([config.seed, 0])
    num_groups = len(TRAIT_GROUPS)
    sizes = np.array([len(v) for _, _, v in TRAIT_GROUPS])
    self.main = _fine_grained_pairs(config.num_species, sizes, rng)
    self.alternative = (self.main + rng.integers(1, sizes, size=self.main.shape)) % sizes
    variable = rng.random(self.main.shape) < config.variable_group_fraction
    self.fidelity = np.where(variable, rng.uniform(0.7, 0.9, self.main.shape), 1.0)

    num_traits = len(TRAIT_NAMES)
    shown = np.zeros((config.num_species, num_traits), np.float32)
    rows = np.arange(config.num_species)[:, None]
    shown[rows, _GROUP_OFFSETS[:num_groups] + self.alternative] = 1.0 - self.fidelity
    shown[rows, _GROUP_OFFSETS[:num_groups] + self.main] = self.fidelity
    names = _species_names(self.main)
    self.truth_table = schema.TraitTable(shown, species=names, traits=TRAIT_NAMES)
    self.label_table = self.truth_table.add_noise(
        np.random.default_rng([config.seed, 1]), config.false_positive, config.false_negative,
        config.missing, graded=config.graded_table)
    text_rng = np.random.default_rng([config.seed, 2])
    self.descriptions = tuple(
        flora_text.describe(row, TRAIT_NAMES, GROUP_PART, text_rng)
        for row in self.label_table.values)

    num_unseen = int(round(config.num_species * config.zeroshot_fraction))
    unseen = rng.choice(config.num_species, num_unseen, replace=False)
    self.seen_species = np.ones(config.num_species, bool)
    self.seen_species[unseen] = False
    seen = np.flatnonzero(self.seen_species)
    rank = rng.permutation(len(seen))
    decay = config.imbalance ** (-rank / max(len(seen) - 1, 1))
    self.species_train_counts = np.zeros(config.num_species, np.int64)
    self.species_train_counts[seen] = np.round(config.max_train_per_species * decay)

  @functools.cached_property
  def split_species(self) -> dict[str, np.ndarray]:
    """Split name -> int32 [N] species of each example."""
    c = self.config
    seen = np.flatnonzero(self.seen_species)
    unseen = np.flatnonzero(~self.seen_species)
    return {
        "train": np.repeat(np.arange(c.num_species), self.species_train_counts).astype(np.int32),
        "val": np.repeat(seen, c.val_per_species).astype(np.int32),
        "test": np.repeat(seen, c.test_per_species).astype(np.int32),
        "zeroshot": np.repeat(unseen, c.zeroshot_per_species).astype(np.int32),
    }

  def sample_values(self, species: int, rng: np.random.Generator) -> np.ndarray:
    """int [G] trait-group values one photo of `species` shows."""
    usual = rng.random(len(TRAIT_GROUPS)) < self.fidelity[species]
    return np.where(usual, self.main[species], self.alternative[species])

  def sample_scene(self, rng: np.random.Generator) -> flora_render.Scene:
    d = self.config.difficulty
    degradation, strength = "none", 0.0
    if rng.random() < self.config.degraded_fraction:
      degradation = schema.DEGRADATIONS[1 + rng.integers(len(schema.DEGRADATIONS) - 1)]
      strength = float(rng.uniform(0.3, 1.0))
    viewport = (0.0, 0.0, 1.0)
    if degradation == "partial":
      viewport = degrade.partial_view(strength, rng)
    occlude = ""
    if rng.random() < 0.3 * d:
      occlude = ("flower", "fruit")[rng.integers(2)]
    tint = 1.0 + rng.uniform(-0.08, 0.08, 3) * d
    brightness = rng.uniform(1.0 - 0.35 * d, 1.0 + 0.15 * d)
    jitter = rng.integers(-18, 19, size=(2, 3))
    return flora_render.Scene(
        base=(0.5 + rng.uniform(-1, 1) * (0.05 + 0.12 * d), 0.86 + rng.uniform(0, 0.08)),
        tilt=float(rng.normal(0.0, 0.08 + 0.2 * d)),
        scale=float(rng.uniform(0.92 - 0.25 * d, 1.05 + 0.1 * d)),
        viewport=viewport, occlude=occlude, degradation=degradation, strength=strength,
        sky=tuple(np.clip(np.add(_SKIES[rng.integers(len(_SKIES))], jitter[0]), 0, 255)),
        ground=tuple(np.clip(np.add(_GROUNDS[rng.integers(len(_GROUNDS))], jitter[1]), 0, 255)),
        light=tuple(brightness * tint), clutter=int(4 + 16 * d * rng.random()),
        distractors=int(rng.poisson(3.0 * d)), noise=2.0 + 8.0 * d,
        seed=int(rng.integers(2**31)))


class FloraSource:
  """Grain random-access source of one split of a flora; examples follow schema.py.

  Example i of a split is rendered from a generator seeded by (seed, split, i) alone, so the
  same (config, split, index) always gives the same pixels, in any process.
  """

  part_names = flora_render.PART_NAMES

  def __init__(self, flora: Flora, split: str):
    if split not in SPLITS:
      raise ValueError(f"unknown split {split!r}; synthetic flora has {SPLITS}")
    self.flora = flora
    self.split = split
    self.labels = flora.split_species[split]
    self.trait_table = flora.label_table
    self.seen_species = flora.seen_species
    self.species_train_counts = flora.species_train_counts
    self.image_size = flora.config.image_size

  def __len__(self) -> int:
    return len(self.labels)

  def __repr__(self) -> str:
    return f"FloraSource(split={self.split!r}, n={len(self)}, size={self.image_size})"

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    index = int(index)
    if not 0 <= index < len(self):
      raise IndexError(f"index {index} out of range for {self!r}")
    rng = np.random.default_rng([self.flora.config.seed, 10 + _SPLIT_CODE[self.split], index])
    species = int(self.labels[index])
    values = self.flora.sample_values(species, rng)
    scene = self.flora.sample_scene(rng)
    named = {g: vals[v] for (g, _, vals), v in zip(TRAIT_GROUPS, values)}
    image, parts = flora_render.render(named, scene, self.image_size)
    shown = np.zeros(len(TRAIT_NAMES), np.float32)
    shown[_GROUP_OFFSETS[:-1] + values] = 1.0
    visible = np.where(parts[TRAIT_PART, 2] > 0, shown, np.nan).astype(np.float32)
    return {
        schema.IMAGE: image,
        schema.SPECIES: np.int32(species),
        schema.TRAITS: self.trait_table.values[species].copy(),
        schema.TRAITS_VISIBLE: visible,
        schema.PARTS: parts,
        schema.VALID: np.bool_(True),
        schema.INDEX: np.int32(index),
        schema.DEGRADATION: np.int32(schema.DEGRADATIONS.index(scene.degradation)),
        schema.DEGRADATION_STRENGTH: np.float32(scene.strength),
    }


# The files `write_flora_files` writes: what `python -m traitjax.describe` reads.
DESCRIPTIONS_FILE = "descriptions.json"
TRAITS_FILE = "traits.txt"
TABLE_FILE = "table.csv"


def write_flora_files(flora: Flora, out: str | os.PathLike) -> dict[str, str]:
  """Writes the three files of ``flora`` into ``out`` (created if needed); returns their
  paths by file name."""
  os.makedirs(out, exist_ok=True)
  paths = {name: os.path.join(out, name) for name in (DESCRIPTIONS_FILE, TRAITS_FILE, TABLE_FILE)}
  table = flora.label_table
  with open(paths[DESCRIPTIONS_FILE], "w", encoding="utf-8") as f:
    json.dump(dict(zip(table.species, flora.descriptions)), f, indent=1)
  vocabulary.write_traits(paths[TRAITS_FILE], table.traits)
  table.to_csv(paths[TABLE_FILE])
  return paths


def _fine_grained_pairs(num_species: int, sizes: np.ndarray, rng) -> np.ndarray:
  """int [S, G]: species 2k+1 differs from species 2k in one or two groups; all distinct."""
  taken: set[tuple[int, ...]] = set()
  rows = []
  while len(rows) < num_species:
    first = rng.integers(0, sizes)
    second = first.copy()
    changed = rng.choice(len(sizes), 1 + rng.integers(2), replace=False)
    second[changed] = (second[changed] + rng.integers(1, sizes[changed])) % sizes[changed]
    keys = (tuple(first), tuple(second))
    if keys[0] in taken or keys[1] in taken:
      continue
    taken.update(keys)
    rows += [first, second]
  return np.stack(rows).astype(np.int64)


def _species_names(main: np.ndarray) -> tuple[str, ...]:
  """Latin-looking binomials: a genus per fine-grained pair, an epithet from petal colour."""
  colour_group = [g for g, _, _ in TRAIT_GROUPS].index("petal_colour")
  colours = TRAIT_GROUPS[colour_group][2]
  names = []
  n = len(_GENUS_SYLLABLES)
  for s, row in enumerate(main):
    pair = s // 2
    genus = (_GENUS_SYLLABLES[pair % n] + _GENUS_SYLLABLES[(pair // n) % n]).capitalize()
    names.append(f"{genus}ia {_EPITHETS[colours[row[colour_group]]]} {s:03d}")
  return tuple(names)
