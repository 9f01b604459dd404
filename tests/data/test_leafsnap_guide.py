"""Tests for traitjax.data.leafsnap_guide on small fake guides (and, listing files only, on the
real Leafsnap guide folder where it is present)."""

import collections
import csv
import json
import logging
import pathlib
import pickle

import ml_collections
import numpy as np
from PIL import Image
import pytest

from tests import conftest
from tests import fake_datasets
from traitjax import config_lib
from traitjax.data import leafsnap_guide
from traitjax.data import organs as plant_organs
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources
from traitjax.data import vocabulary

LEAFSNAP_ROOT = conftest.SHARED / "data" / "leafsnap_guide"
SPECIES = ("Acer rubrum", "Betula nigra", "Pinus strobus")
COLOURS = {"Acer rubrum": (200, 40, 30), "Betula nigra": (40, 160, 60),
           "Pinus strobus": (50, 70, 200)}
# Five photos of each organ (as the guide names it) of each species, and one of an organ that
# the organ map does not name.
ORGAN_NAMES = {"Acer rubrum": ("Leaf", "Bark", "Flowers pistillate (♀)"),
               "Betula nigra": ("Leaves", "Bark", "Fruits"),
               "Pinus strobus": ("Cluster of needles", "Cone (♂)", "Bark")}
PER_ORGAN = 5
UNKNOWN_ORGAN = ("Betula nigra", "Twig")
CORRUPT = "images/Acer_rubrum/Bark_3.jpg"
MISSING = "images/Pinus_strobus/Cone_4.jpg"
NUM_PHOTOS = 3 * 3 * PER_ORGAN + 1
TRAITS = vocabulary.read_traits(leafsnap_guide.VOCABULARY)
ORGAN_MAP = plant_organs.OrganMap.from_json(leafsnap_guide.ORGAN_MAP)


def _file(species, organ, number):
  return f"images/{species.replace(' ', '_')}/{organ.split()[0]}_{number}.jpg"


def _write_guide(root, photos, corrupt=(), missing=(), described=SPECIES):
  """root/images.csv listing `photos` ((species, guide organ name, number) triples), their
  JPEGs (40 x 20 px, one colour a species) but `missing`, those in `corrupt` not JPEGs, and a
  species.json describing the `described` species."""
  rows = []
  for species, organ, number in photos:
    rows.append((_file(species, organ, number), species, organ))
    if rows[-1][0] not in missing:
      fake_datasets.write_photo(root / rows[-1][0], (40, 20), COLOURS[species],
                                corrupt=rows[-1][0] in corrupt, quality=95)
  with open(root / "images.csv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f).writerows([leafsnap_guide.COLUMNS] + rows)
  (root / "species.json").write_text(json.dumps(
      {name: {"popularName": name, "description": f"A tree called {name}."}
       for name in described}))
  return root


def _table(path, species=SPECIES + ("Quercus alba",), traits=TRAITS):
  """A species x trait CSV with random values, some cells empty."""
  return fake_datasets.random_table(path, species, traits)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
  """The guide (one photo corrupt, one missing, one of an unknown organ, one species with no
  description), a test_root (one photo also in the guide), and a table."""
  top = tmp_path_factory.mktemp("leafsnap_guide")
  photos = [(species, organ, n) for species in SPECIES for organ in ORGAN_NAMES[species]
            for n in range(1, PER_ORGAN + 1)] + [UNKNOWN_ORGAN + (1,)]
  _write_guide(top / "guide", photos, corrupt=(CORRUPT,), missing=(MISSING,),
               described=("Acer rubrum", "Pinus strobus"))
  more = [("Acer rubrum", "Leaf", n) for n in (1, 6, 7)] + [("Pinus strobus", "Bark", 6)]
  _write_guide(top / "more", more)
  return {"root": top / "guide", "test_root": top / "more", "table": _table(top / "table.csv")}


def _dataset(tree, **kwargs):
  return leafsnap_guide.LeafsnapGuideDataset(tree["root"], tree["table"], **kwargs)


def _files(dataset, split):
  return [pathlib.Path(dataset.image_paths[e]).relative_to(dataset.root).as_posix()
          for e in dataset.split_indices(split)]


def _organ(name):
  return plant_organs.PHOTO_ORGANS.index(name)


def test_guide_names_map_to_canonical_organs():
  for name, organ in (("Flowers pistillate (♀)", "flower"), ("Cluster of needles", "needle"),
                      ("Cone (♂)", "cone"), ("  flower   PERFECT (♀) ", "flower"),
                      ("Leaves", "leaf"), ("Cone with Seeds", "cone"), ("Twig", "other"),
                      ("organ", "other")):
    assert ORGAN_MAP.organ(name) == organ, name
  assert plant_organs.organ_key("Flowers  staminata ( ♂ )") == "flowers staminata"
  # The guide photographs every organ but the twig.
  assert tuple(ORGAN_MAP.groups) == tuple(o for o in plant_organs.ORGANS if o != "twig")
  assert plant_organs.PHOTO_ORGANS[-1] == plant_organs.OTHER


def test_the_organ_trait_mask_follows_the_organ_map(tmp_path):
  mask = plant_organs.organ_trait_mask(TRAITS, ORGAN_MAP)
  assert mask.shape == (len(plant_organs.PHOTO_ORGANS), 98) and mask.dtype == bool
  shows = {organ: {schema.group_of(t) for t, shown in zip(TRAITS, row) if shown}
           for organ, row in zip(plant_organs.PHOTO_ORGANS, mask)}
  assert shows["bark"] == {"has_growth_form", "has_bark_texture", "has_bark_color"}
  assert shows["needle"] == {"has_leaf_type", "has_leaf_arrangement", "has_leaf_size",
                             "has_needle_bundle"}
  assert shows["other"] == set()
  assert mask.any(axis=0).all()  # Some organ shows every trait.
  assert mask[_organ("bark")].sum() == 2 + 6 + 5
  for payload, message in (
      ({"groups": {"root": []}, "names": {}}, r"organs \['root'\] are not among leaf, needle"),
      ({"groups": {}, "names": {"leaf": ["Leaf"], "bark": ["leaf"]}},
       r"the name 'leaf' is given to leaf and bark"),
      ({"groups": {}}, r"needs the fields 'groups' and 'names', has \['groups'\]")):
    (tmp_path / "map.json").write_text(json.dumps(payload))
    with pytest.raises(ValueError, match=message):
      plant_organs.OrganMap.from_json(tmp_path / "map.json")
  typo = plant_organs.OrganMap({"bark": ("bark_colour",)}, {"bark": "bark"})
  with pytest.raises(ValueError, match=r"trait groups \['bark_colour'\] that the vocabulary"):
    plant_organs.organ_trait_mask(TRAITS, typo)
  with pytest.raises(FileNotFoundError, match="organ map not found"):
    plant_organs.OrganMap.from_json(tmp_path / "none.json")


def test_the_guide_is_listed_by_species_with_its_organs(tree, caplog):
  with caplog.at_level(logging.WARNING):
    dataset = _dataset(tree)
  assert dataset.species_names == SPECIES and len(dataset) == NUM_PHOTOS
  assert dataset.seen_species.all() and dataset.part_names == ()
  np.testing.assert_array_equal(np.bincount(dataset.labels), [15, 16, 15])
  assert np.all(np.diff(dataset.labels) >= 0)
  organs = collections.Counter(zip(dataset.labels.tolist(),
                                   [plant_organs.PHOTO_ORGANS[o] for o in dataset.organs]))
  assert organs == {(0, "leaf"): 5, (0, "bark"): 5, (0, "flower"): 5, (1, "leaf"): 5,
                    (1, "bark"): 5, (1, "fruit"): 5, (1, "other"): 1, (2, "needle"): 5,
                    (2, "cone"): 5, (2, "bark"): 5}
  assert dataset.organ_names.count("Cone (♂)") == 5 and "Twig" in dataset.organ_names
  table = dataset.trait_table
  assert table.species == SPECIES and table.traits == TRAITS and table.values.shape == (3, 98)
  assert np.isnan(table.values[0, :5]).all() and np.isfinite(table.values[1:]).all()
  # Betula nigra has no description in species.json: the reader does not need one.
  assert "Betula nigra" not in json.loads((tree["root"] / "species.json").read_text())
  # The missing photo stays an example (read as invalid) and is counted; so is the organ the
  # map does not name, in one warning with its count.
  assert dataset.num_missing == 1
  assert str(tree["root"] / MISSING) in dataset.image_paths
  warnings = [r.getMessage() for r in caplog.records]
  assert sum(f"1 of the {NUM_PHOTOS} photos listed are missing" in w and MISSING in w
             for w in warnings) == 1
  assert sum("are organ 'other', with no trait label (photos of each: 'Twig': 1)" in w
             for w in warnings) == 1


def test_the_split_is_stratified_by_species_and_organ_and_seeded(tree):
  dataset = _dataset(tree, val_fraction=0.25, test_fraction=0.2, seed=1)
  splits = {s: dataset.split_indices(s) for s in ("train", "val", "test")}
  joined = np.concatenate(list(splits.values()))
  assert len(joined) == len(np.unique(joined)) == len(dataset)
  groups = list(zip(dataset.labels.tolist(), dataset.organs.tolist()))
  for split, count in (("train", 3), ("val", 1), ("test", 1)):
    counts = collections.Counter(groups[e] for e in splits[split])
    for group, size in collections.Counter(groups).items():
      if size == PER_ORGAN:  # Each organ of each species: 1 test, 1 val, 3 train.
        assert counts[group] == count, (split, group)
  assert dataset.species_train_counts.sum() == len(splits["train"])
  assert _files(_dataset(tree, val_fraction=0.25, seed=1), "test") == _files(dataset, "test")
  assert _files(_dataset(tree, val_fraction=0.25, seed=2), "test") != _files(dataset, "test")
  # A species' photos fall the same way whatever the other species.
  for species in (("Pinus strobus",), ("Acer rubrum", "Pinus strobus")):
    fewer = _dataset(tree, species=species, val_fraction=0.25, seed=1)
    assert fewer.species_names == species and fewer.trait_table.species == species
    for split in ("train", "val", "test"):
      chosen = [f for f in _files(dataset, split) if f.split("/")[1].replace("_", " ") in species]
      assert _files(fewer, split) == chosen
  assert len(dataset.split_indices("zeroshot")) == 0
  with pytest.raises(ValueError, match="val_fraction=0"):
    _dataset(tree).split_indices("val")
  with pytest.raises(ValueError, match="test_fraction=0 and no test_root"):
    _dataset(tree, test_fraction=0.0).split_indices("test")
  with pytest.raises(ValueError, match=r"val_fraction must lie in \[0, 1\)"):
    _dataset(tree, val_fraction=-0.1)


def test_a_share_that_is_not_whole_goes_to_the_organs_by_systematic_sampling():
  shares = leafsnap_guide._shares  # pylint: disable=protected-access
  np.testing.assert_array_equal(shares(0.2, [5, 10, 0], 0.999), [1, 2, 0])  # Whole shares.
  starts = np.linspace(0, 1, 1000, endpoint=False)
  taken = np.array([shares(0.2, [1, 3, 2, 1, 1], start) for start in starts])
  assert set(taken.sum(axis=1)) == {1, 2}  # A fifth of 8 photos, rounded down or up.
  assert all(set(column) <= {np.floor(q), np.ceil(q)}
             for column, q in zip(taken.T, [0.2, 0.6, 0.4, 0.2, 0.2]))
  np.testing.assert_allclose(taken.mean(axis=0), [0.2, 0.6, 0.4, 0.2, 0.2])


def test_heldout_species_by_name_or_position(tree):
  dataset = _dataset(tree, heldout_species=("Betula nigra",), val_fraction=0.2)
  assert dataset.seen_species.tolist() == [True, False, True]
  zeroshot = dataset.split_indices("zeroshot")
  assert set(dataset.labels[zeroshot]) == {1} and len(zeroshot) == 16
  for split in ("train", "val", "test"):
    assert 1 not in dataset.labels[dataset.split_indices(split)]
  assert dataset.species_train_counts[1] == 0
  by_position = _dataset(tree, heldout_species="1:2", val_fraction=0.2)
  np.testing.assert_array_equal(by_position.split_indices("zeroshot"), zeroshot)
  assert not _dataset(tree, heldout_species="all").seen_species.any()
  for kwargs, message in (
      ({"heldout_species": ("Betula lenta",)},
       r"^heldout_species \['Betula lenta'\] are not species in .*images.csv \(those there: "
       r"Acer rubrum, Betula nigra, Pinus strobus\)$"),
      ({"species": ("Acer rubrum",), "heldout_species": ("Pinus strobus",)},
       r"^held-out species \['Pinus strobus'\] are not among the used species$"),
      ({"species": ("Acer_rubrum",)}, r"^species \['Acer_rubrum'\] are not species in"),
      ({"heldout_species": "Pinus strobus"},
       r"^heldout_species: species names or positions 'A:B'"),
      ({"species": "0:4"}, r"positions beyond the 3 species")):
    with pytest.raises(ValueError, match=message):
      _dataset(tree, **kwargs)


def test_test_root_photos_are_the_test_split(tree, tmp_path):
  dataset = _dataset(tree, test_root=tree["test_root"], val_fraction=0.2)
  test = dataset.split_indices("test")
  assert dataset.from_test_root[test].all() and dataset.from_test_root.sum() == 3
  names = {pathlib.Path(dataset.image_paths[e]).name for e in test}
  assert names == {"Leaf_6.jpg", "Leaf_7.jpg", "Bark_6.jpg"}  # Leaf_1 of Acer is in root.
  train, val = dataset.split_indices("train"), dataset.split_indices("val")
  assert len(train) + len(val) == NUM_PHOTOS
  assert not dataset.from_test_root[np.concatenate([train, val])].any()
  assert np.all(np.diff(dataset.labels) >= 0)  # Examples follow the species, root's first.
  _write_guide(tmp_path, [("Acer rubrum", "Leaf", 1), ("Betula nigra", "Bark", 1)])
  _write_guide(tmp_path / "oak", [("Acer rubrum", "Leaf", 1)])
  with open(tmp_path / "oak" / "images.csv", "a", encoding="utf-8") as f:
    f.write("images/Quercus_alba/Leaf_1.jpg,Quercus alba,Leaf\n")
  with pytest.raises(ValueError, match=r"^test_root species \['Quercus alba'\] have no photos "
                                       r"in .*guide/images.csv$"):
    _dataset(tree, test_root=tmp_path / "oak")


def test_the_table_must_name_every_species_and_the_folders_must_hold_the_guide(tree, tmp_path):
  for path, message in (
      (_table(tmp_path / "few.csv", species=("Acer rubrum", "Pinus strobus")),
       r"few.csv: needs one row for each species; \['Betula nigra'\] have none, \[\] more"),
      (_table(tmp_path / "traits.csv", traits=TRAITS[:-1] + ("has_bark_color::violet",)),
       r"traits differ from the vocabulary .*leafsnap.txt: 1 missing")):
    with pytest.raises(ValueError, match=message) as error:
      leafsnap_guide.LeafsnapGuideDataset(tree["root"], path)
    assert "\n" not in str(error.value)
  with pytest.raises(FileNotFoundError, match="trait table not found"):
    leafsnap_guide.LeafsnapGuideDataset(tree["root"], tmp_path / "none.csv")
  with pytest.raises(FileNotFoundError, match=r"^Leafsnap guide root not found: .*nowhere$"):
    leafsnap_guide.LeafsnapGuideDataset(tmp_path / "nowhere", tree["table"])
  with pytest.raises(FileNotFoundError, match=r"^no images.csv in .* \(expected path,species,"):
    leafsnap_guide.LeafsnapGuideDataset(tmp_path, tree["table"])
  (tmp_path / "images.csv").write_text("file,name\n")
  with pytest.raises(ValueError, match=r"images.csv: the header must be path,species,organ, "
                                       r"got file,name$"):
    leafsnap_guide.LeafsnapGuideDataset(tmp_path, tree["table"])
  (tmp_path / "images.csv").write_text("path,species,organ\nimages/a.jpg,,Leaf\n")
  with pytest.raises(ValueError, match=r"images.csv:2: expected a photo file, a species and "):
    leafsnap_guide.LeafsnapGuideDataset(tmp_path, tree["table"])


def _config(tree, **fields):
  return ml_collections.ConfigDict({"name": "leafsnap_guide", "root": str(tree["root"]),
                                    "table": str(tree["table"]), "image_size": 32, **fields})


def test_sources_follow_the_contract_pad_the_photo_and_mask_traits_by_organ(tree):
  config = _config(tree, val_fraction=0.25, heldout_species=("Pinus strobus",))
  assert sources.splits(config) == ("train", "val", "test", "zeroshot")
  assert sources.splits(_config(tree, test_fraction=0.0)) == ("train",)
  assert sources.path_fields(config) == ("root", "test_root", "table", "traits", "organs")
  source = sources.make_source(config, "all")
  assert isinstance(source, leafsnap_guide.LeafsnapGuideSource) and len(source) == NUM_PHOTOS
  np.testing.assert_array_equal(source.organs, _dataset(tree).organs)
  assert source.organ_classes == plant_organs.PHOTO_ORGANS  # What the evaluators name organs by.
  assert leafsnap_guide.ORGAN_KEY == schema.ORGAN
  mask = source.organ_trait_mask
  row = source.trait_table.values
  leaf = [i for i in range(len(source)) if source.organs[i] == _organ("leaf")][0]
  example = source[leaf]
  schema.check_example(example, num_traits=98, num_parts=0)
  assert example[leafsnap_guide.ORGAN_KEY].dtype == np.int32
  assert example[leafsnap_guide.ORGAN_KEY] == _organ("leaf") and example["valid"]
  # 40 x 20 px: 32 x 16 in the middle of a black square.
  assert example["image"].shape == (32, 32, 3)
  assert not example["image"][:7].any() and not example["image"][-7:].any()
  assert np.abs(example["image"][10:22].astype(int) - COLOURS["Acer rubrum"]).max() <= 3
  assert np.isnan(example["traits_visible"]).all() and example["species"] == 0
  # NaN where a leaf cannot show the trait (growth form, flowers, fruits, bark) and where the
  # table has no value (Acer rubrum's first five traits); the table's value elsewhere.
  traits = example["traits"]
  np.testing.assert_array_equal(traits, np.where(mask[_organ("leaf")], row[0], np.nan))
  assert np.isnan(traits[[TRAITS.index("has_growth_form::tree"),
                          TRAITS.index("has_bark_color::gray")]]).all()
  assert traits[TRAITS.index("has_leaf_shape::ovate")] == row[0, TRAITS.index(
      "has_leaf_shape::ovate")]
  bark = [i for i in range(len(source)) if source.organs[i] == _organ("bark")
          and source.labels[i] == 1][0]
  np.testing.assert_array_equal(np.isfinite(source[bark]["traits"]), mask[_organ("bark")])
  (twig,) = np.flatnonzero(source.organs == _organ("other"))
  assert np.isnan(source[twig]["traits"]).all() and source[twig]["species"] == 1
  whole = sources.make_source(_config(tree, organ_mask=False), "all")
  for index in (leaf, bark, twig):
    np.testing.assert_array_equal(whole[index]["traits"], row[source.labels[index]])
  restored = pickle.loads(pickle.dumps(source))  # As grain's worker processes get it.
  np.testing.assert_array_equal(restored[leaf]["image"], example["image"])


def test_a_corrupt_and_a_missing_photo_are_counted_as_skipped(tree, caplog):
  source = sources.make_source(_config(tree, val_fraction=0.25), "all")
  bad = [i for i in range(len(source)) if source.image_path(i).endswith((CORRUPT, MISSING))]
  assert len(bad) == 2
  with caplog.at_level(logging.WARNING):
    for index in bad + bad:
      broken = source[index]
      assert not broken["valid"] and not broken["image"].any()
      schema.check_example(broken, num_traits=98, num_parts=0)
  skipped = [r.getMessage() for r in caplog.records if "counted as invalid" in r.getMessage()]
  for index in bad:  # Each warned of once.
    assert sum(source.image_path(index) in message for message in skipped) == 1
  counts = collections.Counter()
  for batch in pipeline.eval_dataset(source, global_batch_size=16):
    counts.update(pipeline.example_counts(batch))
    assert batch["parts"].shape == (16, 0, 3) and batch["organ"].dtype == np.int32
  assert counts == {"num_examples": NUM_PHOTOS - 2, "num_skipped": 2}
  train = sources.make_source(_config(tree, val_fraction=0.25), "train")
  batch = next(iter(pipeline.train_dataset(train, 4, seed=0)))
  assert batch["image"].shape == (4, 32, 32, 3) and batch["organ"].shape == (4,)


def test_config_settings_and_paths_are_checked(tree):
  for settings, message in (
      ({"name": "leafsnap_guide", "table": "t.csv"}, "needs data.root"),
      ({"name": "leafsnap_guide", "root": "r"}, "needs data.table"),
      ({"name": "leafsnap_guide", "root": "r", "table": "t", "crop": 1},
       r"unknown Leafsnap guide settings: \['crop'\]")):
    with pytest.raises(ValueError, match=message):
      sources.make_source(settings, "train")
  for field, value in (("table", "/no/table.csv"), ("organs", "/no/organs.json")):
    config = ml_collections.ConfigDict({"data": _config(tree, **{field: value}),
                                        "input": config_lib.input_config(batch_size=8)})
    with pytest.raises(FileNotFoundError, match=rf"^data.{field} not found: {value}"):
      config_lib.check(config, training=False)


def test_the_real_guide_lists_150_species_and_1863_photos(tmp_path, caplog):
  if not (LEAFSNAP_ROOT / "images.csv").is_file():
    pytest.skip(f"Leafsnap guide not found at {LEAFSNAP_ROOT}")
  described = json.loads((LEAFSNAP_ROOT / "species.json").read_text(encoding="utf-8"))
  table = _table(tmp_path / "table.csv", species=tuple(sorted(described)))
  with caplog.at_level(logging.WARNING):
    dataset = leafsnap_guide.LeafsnapGuideDataset(LEAFSNAP_ROOT, table, val_fraction=0.1)
  assert dataset.num_species == 150 and len(dataset) == 1863 and dataset.num_missing == 0
  counts = np.bincount(dataset.labels)
  assert counts.min() >= 8 and counts.max() <= 24
  # Every organ name of the guide is one of the map's (a literal "organ", a header line
  # repeated, would be "other").
  unknown = {name for name, organ in zip(dataset.organ_names, dataset.organs)
             if plant_organs.PHOTO_ORGANS[organ] == plant_organs.OTHER}
  assert unknown <= {"organ"}
  assert set(plant_organs.PHOTO_ORGANS[o] for o in dataset.organs) <= set(plant_organs.PHOTO_ORGANS)
  test = dataset.split_indices("test")
  assert np.bincount(dataset.labels[test], minlength=150).min() >= 1
  # Each organ gives about a fifth of its photos to test (needles: 18 of 66).
  for organ in np.unique(dataset.organs):
    share = np.sum(dataset.organs[test] == organ) / np.sum(dataset.organs == organ)
    assert 0.15 <= share <= 0.3, plant_organs.PHOTO_ORGANS[organ]
  with Image.open(dataset.image_paths[0]) as photo:  # One photo, not 1,863.
    assert max(photo.size) == 256
