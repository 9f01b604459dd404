"""Tests for the synthetic flora: its species, splits, noisy tables, descriptions and photos."""

import dataclasses
import json
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

from traitjax.data import flora_render
from traitjax.data import flora_text
from traitjax.data import schema
from traitjax.data import synthetic_flora
from traitjax.data import vocabulary
from tests import conftest

REPO = conftest.REPO
SMALL = synthetic_flora.Config(num_species=20, max_train_per_species=40, imbalance=10)
GROUP_NAMES = [g for g, _, _ in synthetic_flora.TRAIT_GROUPS]
OFFSETS = np.cumsum([0] + [len(v) for _, _, v in synthetic_flora.TRAIT_GROUPS])
COLOURS = synthetic_flora.TRAIT_GROUPS[GROUP_NAMES.index("petal_colour")][2]
PETAL = GROUP_NAMES.index("petal_colour")


@pytest.fixture(scope="module")
def flora():
  """The default benchmark (cheap to build: no photo is rendered up front)."""
  return synthetic_flora.Flora(synthetic_flora.Config())


@pytest.fixture(scope="module")
def small():
  return synthetic_flora.Flora(SMALL)


def _same(a, b):
  assert a.keys() == b.keys()
  for key in a:
    np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def _scene(**changes):
  """A clean scene: upright plant, whole view, no clutter, noise, degradation or tint."""
  settings = dict(base=(0.5, 0.9), tilt=0.0, scale=1.0, viewport=(0.0, 0.0, 1.0), occlude="",
                  degradation="none", strength=0.0, sky=(200, 215, 232), ground=(122, 100, 70),
                  light=(1.0, 1.0, 1.0), clutter=0, distractors=0, noise=0.0, seed=0)
  settings.update(changes)
  return flora_render.Scene(**settings)


def _plant(**changes):
  traits = {g: values[0] for g, _, values in synthetic_flora.TRAIT_GROUPS}
  traits.update(changes)
  return traits


def _disc(size, centre, r_min, r_max):
  """bool [size, size]: pixel centres at distance [r_min, r_max] px of centre (in px)."""
  yy, xx = np.mgrid[:size, :size] + 0.5
  r = np.hypot(xx - centre[0], yy - centre[1])
  return (r >= r_min) & (r <= r_max)


def _has_colour(image, colour):
  return np.all(image == np.asarray(colour, np.uint8), axis=-1)


# ---- determinism ---------------------------------------------------------------------------


def test_same_config_split_index_gives_the_same_example(small):
  """Pixels and labels depend on (config, split, index) alone, also across Flora instances
  and after a pickle round trip (as worker processes receive sources)."""
  source = synthetic_flora.FloraSource(small, "train")
  first = source[5]
  _same(first, source[5])
  _same(first, synthetic_flora.FloraSource(synthetic_flora.Flora(SMALL), "train")[5])
  _same(first, pickle.loads(pickle.dumps(source))[5])
  _same(source[np.int64(5)], first)


@pytest.mark.slow
def test_fresh_process_renders_the_same_pixels(small, tmp_path):
  """Another interpreter (different hash seed) renders bit-identical examples."""
  out = tmp_path / "example.npz"
  script = (
      "import sys, numpy as np\n"
      "from traitjax.data import synthetic_flora\n"
      "c = synthetic_flora.Config(num_species=20, max_train_per_species=40, imbalance=10)\n"
      "e = synthetic_flora.FloraSource(synthetic_flora.Flora(c), 'test')[7]\n"
      "np.savez(sys.argv[1], **e)\n")
  subprocess.run([sys.executable, "-c", script, str(out)], check=True, cwd=REPO,
                 env={"PYTHONHASHSEED": "12345", "PATH": ""}, timeout=60)
  here = synthetic_flora.FloraSource(small, "test")[7]
  with np.load(out) as there:
    _same(here, dict(there))


def test_different_index_split_or_seed_gives_different_pixels(small):
  """Neighbouring indices, another split and another seed give other photos."""
  train = synthetic_flora.FloraSource(small, "train")
  image = train[0]["image"]
  assert not np.array_equal(image, train[1]["image"])
  assert not np.array_equal(image, synthetic_flora.FloraSource(small, "val")[0]["image"])
  other = synthetic_flora.Flora(dataclasses.replace(SMALL, seed=1))
  assert not np.array_equal(image, synthetic_flora.FloraSource(other, "train")[0]["image"])
  assert not np.array_equal(small.main, other.main)


def test_index_out_of_range_and_unknown_split_raise(small):
  """Indices outside [0, len) raise IndexError; an unknown split names the known ones."""
  source = synthetic_flora.FloraSource(small, "val")
  for index in (-1, len(source)):
    with pytest.raises(IndexError, match="out of range"):
      source[index]
  with pytest.raises(ValueError, match="'dev'.*train"):
    synthetic_flora.FloraSource(small, "dev")


# ---- the species -----------------------------------------------------------------------------


def test_default_flora_has_enough_traits_groups_and_species(flora):
  """>= 40 binary traits in >= 8 groups, >= 200 species, every trait carried by a part."""
  table = flora.truth_table
  assert table.num_traits >= 40 and len(table.group_names()) >= 8
  assert table.num_species >= 200 and flora.label_table.num_species == table.num_species
  assert table.traits == synthetic_flora.TRAIT_NAMES and table.group_names() == tuple(GROUP_NAMES)
  assert len(synthetic_flora.TRAIT_PART) == table.num_traits
  for trait, part in zip(table.traits, synthetic_flora.TRAIT_PART):
    assert flora_render.PART_NAMES[part] == synthetic_flora.GROUP_PART[schema.group_of(trait)]
  assert len(set(table.species)) == table.num_species


def test_species_are_distinct_and_come_in_fine_grained_pairs(flora):
  """All species differ; species 2k and 2k+1 differ in one or two trait groups only."""
  assert len({tuple(row) for row in flora.main}) == len(flora.main)
  usual = flora.truth_table.threshold(0.5).values
  assert len({tuple(row) for row in usual}) == len(usual)
  differing = np.sum(flora.main[0::2] != flora.main[1::2], axis=1)
  assert np.all((differing >= 1) & (differing <= 2))
  assert set(differing) == {1, 2}
  # Pairs share a genus name.
  genus = [name.split()[0] for name in flora.truth_table.species]
  assert genus[0::2] == genus[1::2]


def test_truth_table_is_each_species_value_distribution(flora):
  """Per group the truth sums to 1: the usual value with its fidelity, the alternative with
  the rest; about the configured share of groups varies within a species."""
  values = flora.truth_table.values
  rows = np.arange(len(values))[:, None]
  for g in range(len(GROUP_NAMES)):
    np.testing.assert_allclose(values[:, OFFSETS[g]:OFFSETS[g + 1]].sum(1), 1.0, atol=1e-6)
  np.testing.assert_allclose(values[rows, OFFSETS[:-1] + flora.main], flora.fidelity)
  assert np.all(flora.main != flora.alternative)
  variable = flora.fidelity < 1
  assert abs(variable.mean() - 0.3) < 0.03
  assert np.all((flora.fidelity[variable] >= 0.7) & (flora.fidelity[variable] <= 0.9))


def test_training_images_follow_a_long_tail(flora):
  """Seen species: most / fewest training images >= 100 (the default imbalance)."""
  counts = flora.species_train_counts[flora.seen_species]
  assert counts.min() >= 1 and counts.max() / counts.min() >= 100
  assert counts.max() == flora.config.max_train_per_species
  train = flora.split_species["train"]
  np.testing.assert_array_equal(np.bincount(train, minlength=200), flora.species_train_counts)


def test_val_and_test_are_balanced_over_seen_species(flora):
  """Every seen species has exactly val_per_species / test_per_species examples."""
  seen = flora.seen_species
  for split, per in (("val", 5), ("test", 10)):
    counts = np.bincount(flora.split_species[split], minlength=200)
    assert np.all(counts[seen] == per) and np.all(counts[~seen] == 0), split


def test_zero_shot_species_never_appear_in_training(flora):
  """Unseen species: none in train, all of the zeroshot split, each with its images."""
  unseen = np.flatnonzero(~flora.seen_species)
  assert len(unseen) == round(200 * 0.2)
  assert not set(flora.split_species["train"]) & set(unseen)
  assert np.all(flora.species_train_counts[unseen] == 0)
  zeroshot = flora.split_species["zeroshot"]
  assert set(zeroshot) == set(unseen)
  np.testing.assert_array_equal(np.bincount(zeroshot, minlength=200)[unseen], 10)
  source = synthetic_flora.FloraSource(flora, "zeroshot")
  assert all(int(source[i]["species"]) in set(unseen) for i in range(0, len(source), 97))


def test_label_noise_rates_match_the_config():
  """Flora's label table vs the thresholded truth: realised false-positive, false-negative
  and missing rates within 2 points of the settings, pooled over 3 seeds of 200 species
  (>= 5000 positives per rate, so 2 points is over 3 standard errors)."""
  fp = fn = missing = 0.0
  seeds = (0, 1, 2)
  for seed in seeds:
    f = synthetic_flora.Flora(synthetic_flora.Config(seed=seed, false_positive=0.1,
                                              false_negative=0.2, missing=0.1))
    truth = f.truth_table.threshold(0.5).values
    labels = f.label_table.values
    known = np.isfinite(labels)
    missing += 1 - known.mean()
    fp += labels[known & (truth == 0)].mean()
    fn += 1 - labels[known & (truth == 1)].mean()
    # Every species alone is also roughly on target: the noise is spread over the table.
    assert np.all(np.isnan(labels).sum(1) < 0.35 * labels.shape[1])
  n = len(seeds)
  assert abs(missing / n - 0.1) < 0.02
  assert abs(fp / n - 0.1) < 0.02
  assert abs(fn / n - 0.2) < 0.02


def test_without_noise_the_labels_are_the_thresholded_truth(flora):
  """With all rates 0, the label table is exactly the truth at 0.5."""
  np.testing.assert_array_equal(flora.label_table.values,
                                flora.truth_table.threshold(0.5).values)


# ---- what the photo shows ------------------------------------------------------------------


def test_visible_traits_follow_the_keypoints(flora):
  """traits_visible is NaN exactly where the carrying part's keypoint is invisible; where
  finite, exactly one value per group is 1, and it is the species' usual or alternative."""
  source = synthetic_flora.FloraSource(flora, "train")
  hidden_groups = 0
  for index in range(0, len(source), 41):
    example = source[index]
    visible = example["traits_visible"]
    parts = example["parts"]
    part_visible = parts[:, 2] > 0
    np.testing.assert_array_equal(np.isnan(visible), ~part_visible[synthetic_flora.TRAIT_PART])
    assert np.all(parts[~part_visible] == 0)
    assert np.all((parts[part_visible, :2] >= 0) & (parts[part_visible, :2] <= 1))
    species = int(example["species"])
    np.testing.assert_array_equal(example["traits"], flora.label_table.values[species])
    for g in range(len(GROUP_NAMES)):
      block = visible[OFFSETS[g]:OFFSETS[g + 1]]
      if np.isnan(block).any():
        assert np.isnan(block).all()
        hidden_groups += 1
        continue
      assert set(np.unique(block)) <= {0.0, 1.0} and block.sum() == 1
      shown = int(np.argmax(block))
      assert shown in (flora.main[species, g], flora.alternative[species, g])
  assert hidden_groups > 0  # Occlusion and partial views do hide parts.


@pytest.mark.parametrize("colour", list(flora_render.PETAL_COLOURS))
@pytest.mark.parametrize("count,shape", [("three", "pointed"), ("eight", "rounded")])
def test_petals_are_drawn_in_their_colour(colour, count, shape):
  """Around the flower keypoint the petal colour dominates; occluded or out of frame, the
  keypoint is invisible and the colour is nowhere in the photo."""
  size = 128
  plant = _plant(petal_colour=colour, petal_count=count, petal_shape=shape,
                 inflorescence="clustered", leaf_arrangement="whorled")
  rgb = flora_render.PETAL_COLOURS[colour]
  image, parts = flora_render.render(plant, _scene(), size)
  assert image.shape == (size, size, 3) and image.dtype == np.uint8
  np.testing.assert_allclose(parts[0], (0.5, 0.9 - 0.58, 1.0), atol=1e-6)
  ring = image[_disc(size, parts[0, :2] * size, 0.045 * size, 0.09 * size)]
  colours, counts = np.unique(ring, axis=0, return_counts=True)
  assert tuple(colours[np.argmax(counts)]) == rgb
  assert _has_colour(ring, rgb).mean() > 0.5
  # The flower centre sits on the keypoint.
  x, y = (parts[0, :2] * size).astype(int)
  assert tuple(image[y, x]) == flora_render.CENTRE_COLOURS[plant["flower_centre"]]

  occluded, parts = flora_render.render(plant, _scene(occlude="flower"), size)
  assert np.all(parts[0] == 0) and parts[1, 2] == 1
  assert not _has_colour(occluded, rgb).any()

  lower_half, parts = flora_render.render(plant, _scene(viewport=(0.25, 0.5, 0.5)), size)
  assert np.all(parts[0] == 0) and not _has_colour(lower_half, rgb).any()
  # The stem base is in that view, at its place relative to the viewport.
  np.testing.assert_allclose(parts[4], ((0.5 - 0.25) / 0.5, (0.9 - 0.5) / 0.5, 1.0), atol=1e-6)


def test_petal_colours_look_like_their_names():
  """The palette is what the trait names say, and its colours are far apart."""
  c = {name: np.asarray(rgb, np.float32) for name, rgb in flora_render.PETAL_COLOURS.items()}
  assert set(c) == set(COLOURS)
  assert c["white"].min() > 200
  assert c["red"][0] > 2 * max(c["red"][1:])
  assert c["blue"][2] > 2 * max(c["blue"][:2])
  assert min(c["yellow"][:2]) > 3 * c["yellow"][2]
  assert c["orange"][0] > c["orange"][1] > c["orange"][2] + 60
  assert c["purple"][0] > c["purple"][1] and c["purple"][2] > c["purple"][1]
  names = list(c)
  gaps = [np.linalg.norm(c[a] - c[b]) for i, a in enumerate(names) for b in names[i + 1:]]
  assert min(gaps) > 60


def test_other_drawn_traits_match_their_colours():
  """Leaf and fruit keypoints land on the leaf colour and the berries."""
  size = 128
  for leaf in flora_render.LEAF_COLOURS:
    plant = _plant(leaf_colour=leaf, leaf_shape="round", fruit="berry")
    image, parts = flora_render.render(plant, _scene(), size)
    patch = image[_disc(size, parts[1, :2] * size, 0, 3)]
    assert _has_colour(patch, flora_render.LEAF_COLOURS[leaf]).mean() > 0.5
    berries = image[_disc(size, parts[3, :2] * size, 0, 3)]
    assert _has_colour(berries, (92, 14, 40)).mean() > 0.5
  _, parts = flora_render.render(_plant(), _scene(occlude="fruit"), size)
  assert np.all(parts[3] == 0) and parts[0, 2] == 1


def test_labelled_petal_colour_matches_the_photo(flora):
  """In undegraded photos with the flower in view, the median colour around the flower
  keypoint is nearest to the labelled petal colour (>= 90% of photos: lighting, sensor noise
  and flower-coloured distractors may rarely fool a pixel test)."""
  source = synthetic_flora.FloraSource(flora, "test")
  palette = np.array([flora_render.PETAL_COLOURS[c] for c in COLOURS], np.float32)
  agree = checked = 0
  index = 0
  while checked < 40:
    example = source[index]
    index += 1
    if example["degradation"] != 0 or example["parts"][0, 2] == 0:
      continue
    block = example["traits_visible"][OFFSETS[PETAL]:OFFSETS[PETAL + 1]]
    size = example["image"].shape[0]
    ring = example["image"][_disc(size, example["parts"][0, :2] * size, 2.5, 4.5)]
    median = np.median(ring.astype(np.float32), axis=0)
    nearest = np.argmin(np.sum((palette - median) ** 2, axis=1))
    agree += int(nearest == np.argmax(block))
    checked += 1
  assert agree >= 0.9 * checked


def test_degraded_share_matches_the_config(flora):
  """About degraded_fraction of photos are degraded, by each kind; strength follows."""
  source = synthetic_flora.FloraSource(flora, "train")
  examples = [source[i] for i in range(0, 9000, 15)]  # 600 photos at 64 px.
  kinds = np.array([int(e["degradation"]) for e in examples])
  strength = np.array([float(e["degradation_strength"]) for e in examples])
  # Standard error sqrt(0.3 * 0.7 / 600) < 2 points: 6 points is over 3 standard errors.
  assert abs(np.mean(kinds > 0) - 0.3) < 0.06
  shares = np.bincount(kinds[kinds > 0], minlength=4)[1:] / np.sum(kinds > 0)
  assert np.all(shares > 0.2), shares
  assert np.all(strength[kinds == 0] == 0)
  assert np.all((strength[kinds > 0] >= 0.3) & (strength[kinds > 0] <= 1))
  # Partial views lose parts more often than undegraded photos.
  lost = np.array([np.any(e["parts"][:, 2] == 0) for e in examples])
  assert lost[kinds == 3].mean() > lost[kinds == 0].mean()


@pytest.mark.parametrize("fraction", [0.0, 1.0])
def test_degraded_fraction_extremes(fraction):
  """degraded_fraction 0 degrades nothing, 1 degrades every photo."""
  f = synthetic_flora.Flora(dataclasses.replace(SMALL, degraded_fraction=fraction))
  source = synthetic_flora.FloraSource(f, "test")
  kinds = np.array([int(source[i]["degradation"]) for i in range(40)])
  assert np.all(kinds > 0) if fraction else np.all(kinds == 0)


def test_dark_photos_are_darker(flora):
  """The same scene rendered dark is (1 - 0.82 strength) times as bright; dark photos of the
  flora are much darker than undegraded ones."""
  plant = _plant()
  clean, _ = flora_render.render(plant, _scene(), 64)
  dark, _ = flora_render.render(plant, _scene(degradation="dark", strength=0.5), 64)
  factor = 1 - 0.82 * 0.5
  assert abs(dark.mean() - factor * clean.mean()) < 1.0
  source = synthetic_flora.FloraSource(flora, "train")
  means = {0: [], 2: []}
  for i in range(0, 6000, 10):
    example = source[i]
    kind = int(example["degradation"])
    if kind in means:
      means[kind].append(example["image"].mean())
  assert len(means[2]) >= 30
  assert np.median(means[2]) < 0.75 * np.median(means[0])
  assert np.percentile(means[2], 90) < np.median(means[0])


def test_blurred_photos_lose_detail():
  """Blur keeps the mean brightness but removes fine detail (pixel-to-pixel differences)."""
  plant = _plant(stem_texture="hairy", leaf_margin="serrated")
  clean, _ = flora_render.render(plant, _scene(clutter=10), 64)
  blurred, _ = flora_render.render(plant, _scene(clutter=10, degradation="blur", strength=1.0),
                                   64)

  def detail(image):
    return np.abs(np.diff(image.astype(np.float32), axis=1)).mean()

  assert abs(blurred.mean() - clean.mean()) < 3
  assert detail(blurred) < 0.6 * detail(clean)


@pytest.mark.parametrize("size", [64, 224])
def test_image_shapes(size):
  """Photos are uint8 [size, size, 3]; the example meets the contract."""
  f = synthetic_flora.Flora(dataclasses.replace(SMALL, image_size=size))
  source = synthetic_flora.FloraSource(f, "val")
  assert source.image_size == size
  example = source[0]
  assert example["image"].shape == (size, size, 3) and example["image"].dtype == np.uint8
  schema.check_example(example, len(synthetic_flora.TRAIT_NAMES), len(flora_render.PART_NAMES))


def test_config_is_validated():
  """Out-of-range settings and unknown keys raise ValueError naming them."""
  with pytest.raises(ValueError, match="image_size"):
    synthetic_flora.Config(image_size=16)
  with pytest.raises(ValueError, match="num_species"):
    synthetic_flora.Config(num_species=21)
  with pytest.raises(ValueError, match="missing"):
    synthetic_flora.Config(missing=1.5)
  with pytest.raises(ValueError, match="imbalance"):
    synthetic_flora.Config(max_train_per_species=10, imbalance=20)
  with pytest.raises(ValueError, match="colour"):
    synthetic_flora.Config.from_config({"name": "synthetic_flora", "colour": 1})
  assert synthetic_flora.Config.from_config({"name": "x", "num_species": 8}).num_species == 8


# ---- descriptions --------------------------------------------------------------------------


def _spans(text, phrase):
  return [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), text)]


def test_descriptions_mention_exactly_the_labelled_traits():
  """One non-empty description per species; each trait marked present in the label table is
  mentioned; absent and NaN cells are not (except inside a mentioned trait's phrase, e.g.
  "green" inside "dark green"); several present values of one group are joined with "or"."""
  f = synthetic_flora.Flora(synthetic_flora.Config(false_positive=0.1, false_negative=0.2,
                                            missing=0.1))
  table = f.label_table
  assert len(f.descriptions) == table.num_species
  nan_checked = 0
  for row, text in zip(table.values, f.descriptions):
    assert text.strip()
    present = [t for t, v in zip(table.traits, row) if v == 1]
    phrases = {t: flora_text.PHRASES[schema.group_of(t)][t.split("::")[1]]
               for t in table.traits}
    allowed = [s for t in present for p in phrases[t] for s in _spans(text, p)]
    for trait in present:
      assert any(p in text for p in phrases[trait]), (trait, text)
    for trait, value in zip(table.traits, row):
      if value == 1:
        continue
      nan_checked += int(np.isnan(value))
      for phrase in phrases[trait]:
        for a, b in _spans(text, phrase):
          assert any(c <= a and b <= d for c, d in allowed), (trait, phrase, text)
    groups = [schema.group_of(t) for t in present]
    several = len(groups) > len(set(groups))
    assert (" or " in text) == several, text
  assert nan_checked > 500


def _sentence_parts(text):
  """The part and template of each sentence, in order."""
  found = []
  for sentence in text[:-1].split(". "):
    matches = [(part, t) for part, templates in flora_text.SENTENCES.items() for t in templates
               if sentence.startswith(t.split("{}")[0])]
    assert matches, sentence
    found.append(max(matches, key=lambda m: len(m[1])))
  return found


def test_descriptions_vary_in_phrasing_and_order(flora):
  """Without noise every description has one sentence per part; sentence order, templates
  and phrasings differ between species."""
  orders, templates = set(), {part: set() for part in flora_text.SENTENCES}
  for text in flora.descriptions:
    sentences = _sentence_parts(text)
    assert sorted(p for p, _ in sentences) == sorted(flora_text.SENTENCES)
    orders.add(tuple(p for p, _ in sentences))
    for part, template in sentences:
      templates[part].add(template)
  assert len(orders) >= 12  # Of 24 possible orders, 200 species show many.
  assert {order[0] for order in orders} == set(flora_text.SENTENCES)
  for part, used in templates.items():
    assert used == set(flora_text.SENTENCES[part]), part
  for colour in COLOURS:
    for phrase in flora_text.PHRASES["petal_colour"][colour]:
      assert any(phrase in text for text in flora.descriptions), phrase
  # Clauses within a sentence are shuffled too: petal colour comes before or after count.
  colour_first = set()
  for species, text in enumerate(flora.descriptions):
    where = {}
    for group in ("petal_colour", "petal_count"):
      g = GROUP_NAMES.index(group)
      value = synthetic_flora.TRAIT_GROUPS[g][2][flora.main[species, g]]
      where[group] = min(text.find(p) for p in flora_text.PHRASES[group][value] if p in text)
    colour_first.add(where["petal_colour"] < where["petal_count"])
  assert colour_first == {True, False}


def test_describe_writes_from_a_row():
  """describe() names present values, skips absent and NaN ones, and is reproducible."""
  row = np.full(len(synthetic_flora.TRAIT_NAMES), np.nan, np.float32)
  names = synthetic_flora.TRAIT_NAMES
  row[names.index("petal_colour::blue")] = 1
  row[names.index("petal_colour::red")] = 0
  row[names.index("fruit::pod")] = 1
  text = flora_text.describe(row, names, synthetic_flora.GROUP_PART, np.random.default_rng(0))
  assert any(p in text for p in flora_text.PHRASES["petal_colour"]["blue"])
  assert not any(p in text for p in flora_text.PHRASES["petal_colour"]["red"])
  assert any(p in text for p in flora_text.PHRASES["fruit"]["pod"])
  assert "Leaves" not in text and "Stem" not in text and len(text.split(". ")) == 2
  assert text == flora_text.describe(row, names, synthetic_flora.GROUP_PART,
                                     np.random.default_rng(0))
  empty = flora_text.describe(np.zeros(len(names)), names, synthetic_flora.GROUP_PART,
                              np.random.default_rng(0))
  assert empty == ""


def test_flora_files_read_back_as_the_flora(tmp_path):
  flora = synthetic_flora.Flora(synthetic_flora.Config(num_species=6, seed=3))
  paths = synthetic_flora.write_flora_files(flora, tmp_path / "flora")
  with open(paths[synthetic_flora.DESCRIPTIONS_FILE]) as f:
    assert json.load(f) == dict(zip(flora.label_table.species, flora.descriptions))
  assert vocabulary.read_traits(paths[synthetic_flora.TRAITS_FILE]) == synthetic_flora.TRAIT_NAMES
  table = schema.TraitTable.from_csv(paths[synthetic_flora.TABLE_FILE])
  np.testing.assert_array_equal(table.values, flora.label_table.values)
