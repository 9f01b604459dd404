"""Tests for traitjax.data.eurosat on small fake trees of tiles (and, listing files only, on the
real EuroSAT folder where it is present)."""

import collections
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
from traitjax.data import eurosat
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources
from traitjax.data import summary
from traitjax.data import vocabulary
from traitjax.language import phrases

EUROSAT_ROOT = conftest.EUROSAT
REAL_CLASSES = ("AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial",
                "Pasture", "PermanentCrop", "Residential", "River", "SeaLake")
CLASSES = ("Forest", "River", "SeaLake")
COLOURS = {"Forest": (30, 80, 40), "River": (40, 60, 120), "SeaLake": (20, 30, 90)}
PER_CLASS = 10
CORRUPT = "Forest_3.jpg"
TRAITS = vocabulary.read_traits(eurosat.VOCABULARY)


def _write_tiles(base, numbers, corrupt=()):
  """`base`/<Class>/<Class>_<n>.jpg for each class and number; the files named in `corrupt`
  are not JPEGs."""
  for name in CLASSES:
    for n in numbers:
      path = base / name / f"{name}_{n}.jpg"
      fake_datasets.write_photo(path, (64, 64), COLOURS[name], corrupt=path.name in corrupt)


def _table(path, species=CLASSES + ("Highway",), traits=TRAITS):
  """A class x characteristic CSV with random values, some cells empty."""
  return fake_datasets.random_table(path, species, traits)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
  """The official layout (with one corrupt tile), the older release's (other tile numbers, one
  shared with the official one), and a table."""
  top = tmp_path_factory.mktemp("eurosat")
  _write_tiles(top / "official" / "EuroSAT_RGB", range(1, PER_CLASS + 1), corrupt=(CORRUPT,))
  _write_tiles(top / "old" / "2750", [1, 11, 12, 13])
  return {"root": top / "official", "test_root": top / "old", "table": _table(top / "table.csv")}


def _dataset(tree, **kwargs):
  return eurosat.EurosatDataset(tree["root"], tree["table"], **kwargs)


def _files(dataset, split):
  return [str(pathlib.Path(dataset.image_paths[e]).relative_to(dataset.base_dir))
          for e in dataset.split_indices(split)]


def test_both_layouts_and_the_class_folder_parent_are_read(tree):
  official = _dataset(tree)
  assert official.base_dir == str(tree["root"] / "EuroSAT_RGB")
  assert official.species_names == CLASSES and len(official) == 3 * PER_CLASS
  assert official.seen_species.all() and official.part_names == ()
  old = eurosat.EurosatDataset(tree["test_root"], tree["table"])
  assert old.base_dir == str(tree["test_root"] / "2750") and len(old) == 12
  inner = eurosat.EurosatDataset(tree["root"] / "EuroSAT_RGB", tree["table"])
  assert inner.image_paths == official.image_paths
  np.testing.assert_array_equal(official.labels, np.repeat([0, 1, 2], PER_CLASS))
  table = official.trait_table
  assert table.species == CLASSES and table.traits == TRAITS and table.values.shape == (3, 58)
  assert np.isnan(table.values[0, :5]).all() and np.isfinite(table.values[1:]).all()
  with pytest.raises(FileNotFoundError, match="EuroSAT root not found"):
    eurosat.EurosatDataset(tree["root"] / "nowhere", tree["table"])


def test_the_stratified_split_is_seeded_and_disjoint(tree):
  dataset = _dataset(tree, val_fraction=0.25, test_fraction=0.2, seed=1)
  splits = {s: dataset.split_indices(s) for s in ("train", "val", "test")}
  joined = np.concatenate(list(splits.values()))
  assert len(joined) == len(np.unique(joined)) == len(dataset)
  for split, count in (("train", 6), ("val", 2), ("test", 2)):
    assert np.bincount(dataset.labels[splits[split]]).tolist() == [count] * 3
  np.testing.assert_array_equal(dataset.species_train_counts, [6, 6, 6])
  assert _files(_dataset(tree, val_fraction=0.25, seed=1), "val") == _files(dataset, "val")
  assert _files(_dataset(tree, val_fraction=0.25, seed=2), "test") != _files(dataset, "test")
  # A class's tiles fall the same way whatever the other classes and the val share.
  alone = _dataset(tree, species=("River",), seed=1)
  assert alone.species_names == ("River",) and alone.trait_table.species == ("River",)
  river_test = [f for f in _files(dataset, "test") if f.startswith("River/")]
  assert _files(alone, "test") == river_test
  assert len(dataset.split_indices("zeroshot")) == 0
  with pytest.raises(ValueError, match="val_fraction=0"):
    _dataset(tree).split_indices("val")
  with pytest.raises(ValueError, match="test_fraction=0 and no test_root"):
    _dataset(tree, test_fraction=0.0).split_indices("test")
  with pytest.raises(ValueError, match=r"test_fraction must lie in \[0, 1\)"):
    _dataset(tree, test_fraction=1.0)


def test_test_root_tiles_are_the_test_split(tree, tmp_path):
  dataset = _dataset(tree, test_root=tree["test_root"], val_fraction=0.2)
  test = dataset.split_indices("test")
  assert dataset.from_test_root[test].all() and dataset.from_test_root.sum() == 9
  names = {pathlib.Path(dataset.image_paths[e]).name for e in test}
  assert names == {f"{c}_{n}.jpg" for c in CLASSES for n in (11, 12, 13)}  # _1 is in root.
  train, val = dataset.split_indices("train"), dataset.split_indices("val")
  assert len(train) + len(val) == 3 * PER_CLASS and len(val) == 6
  assert not dataset.from_test_root[np.concatenate([train, val])].any()
  # Examples follow the classes, root tiles first.
  assert np.all(np.diff(dataset.labels) >= 0)
  fake_datasets.write_photo(tmp_path / "Highway" / "Highway_1.jpg", (64, 64), (0, 0, 0))
  with pytest.raises(ValueError, match=r"test_root classes \['Highway'\] have no folder"):
    _dataset(tree, test_root=tmp_path)


def test_heldout_classes_by_name_or_position(tree):
  dataset = _dataset(tree, heldout_species=("River",), val_fraction=0.2)
  assert dataset.seen_species.tolist() == [True, False, True]
  zeroshot = dataset.split_indices("zeroshot")
  assert set(dataset.labels[zeroshot]) == {1} and len(zeroshot) == PER_CLASS
  for split in ("train", "val", "test"):
    assert 1 not in dataset.labels[dataset.split_indices(split)]
  assert dataset.species_train_counts[1] == 0
  by_position = _dataset(tree, heldout_species="1:2", val_fraction=0.2)
  np.testing.assert_array_equal(by_position.split_indices("zeroshot"), zeroshot)
  assert not _dataset(tree, heldout_species="all").seen_species.any()
  for kwargs, message in (
      ({"heldout_species": ("Desert", "River")}, r"^heldout_species \['Desert'\] are not "
                                                 r"classes in .*EuroSAT_RGB \(those there: "
                                                 r"Forest, River, SeaLake\)$"),
      ({"species": ("Forest",), "heldout_species": ("River",)},
       r"^held-out classes \['River'\] are not among the used classes$"),
      ({"species": ("Lake",)}, r"^species \['Lake'\] are not classes"),
      ({"heldout_species": "River"}, r"^heldout_species: class names or positions 'A:B'"),
      ({"species": "0:4"}, r"positions beyond the 3 species")):
    with pytest.raises(ValueError, match=message):
      _dataset(tree, **kwargs)


def test_the_table_must_name_every_class_and_the_vocabulary(tree, tmp_path):
  for path, message in (
      (_table(tmp_path / "few.csv", species=("Forest", "SeaLake")),
       r"needs one row for each class; \['River'\] have none"),
      (_table(tmp_path / "traits.csv", traits=TRAITS[:-1] + ("has_colour::violet",)),
       r"traits differ from the vocabulary .*eurosat.txt: 1 missing \(e.g. "
       r"\['has_surface_sealing::high'\]\), 1 unknown \(e.g. \['has_colour::violet'\]\)")):
    with pytest.raises(ValueError, match=message) as error:
      eurosat.EurosatDataset(tree["root"], path)
    assert "\n" not in str(error.value)
  with pytest.raises(FileNotFoundError, match="trait table not found"):
    eurosat.EurosatDataset(tree["root"], tmp_path / "none.csv")
  vocabulary = tmp_path / "traits.txt"
  vocabulary.write_text("1 has_colour::red\n2 has_colour::grey\n")
  small = _table(tmp_path / "small.csv", traits=("has_colour::grey", "has_colour::red"))
  dataset = eurosat.EurosatDataset(tree["root"], small, traits=vocabulary)
  assert dataset.trait_table.traits == ("has_colour::red", "has_colour::grey")
  np.testing.assert_array_equal(dataset.trait_table.values[1],
                                schema.TraitTable.from_csv(small).values[1, ::-1])


def _config(tree, **fields):
  return ml_collections.ConfigDict({"name": "eurosat", "root": str(tree["root"]),
                                    "table": str(tree["table"]), "image_size": 32, **fields})


def test_sources_follow_the_contract_and_count_the_corrupt_tile(tree, caplog):
  config = _config(tree, val_fraction=0.25, heldout_species=("SeaLake",))
  assert sources.splits(config) == ("train", "val", "test", "zeroshot")
  assert sources.splits(_config(tree, test_fraction=0.0)) == ("train",)
  source = sources.make_source(config, "all")
  assert isinstance(source, eurosat.EurosatSource) and len(source) == 3 * PER_CLASS
  example = source[PER_CLASS]
  schema.check_example(example, num_traits=58, num_parts=0)
  assert example["image"].shape == (32, 32, 3) and example["valid"]
  assert np.abs(example["image"].astype(int) - COLOURS["River"]).max() <= 3
  np.testing.assert_array_equal(example["traits"], source.trait_table.values[1])
  assert np.isnan(example["traits_visible"]).all() and example["species"] == 1
  restored = pickle.loads(pickle.dumps(source))  # As grain's worker processes get it.
  np.testing.assert_array_equal(restored[PER_CLASS]["image"], example["image"])

  (corrupt,) = [i for i in range(len(source)) if source.image_path(i).endswith(CORRUPT)]
  bad = source.image_path(corrupt)
  with caplog.at_level(logging.WARNING):
    broken = source[corrupt]
    source[corrupt]
  assert not broken["valid"] and not broken["image"].any()
  schema.check_example(broken, num_traits=58, num_parts=0)
  assert sum(bad in r.getMessage() for r in caplog.records) == 1
  counts = collections.Counter()
  for batch in pipeline.eval_dataset(source, global_batch_size=16):
    counts.update(pipeline.example_counts(batch))
    assert batch["parts"].shape == (16, 0, 3) and batch["image"].dtype == np.float32
  assert counts == {"num_examples": 3 * PER_CLASS - 1, "num_skipped": 1}

  train = sources.make_source(config, "train")
  batch = next(iter(pipeline.train_dataset(train, 4, seed=0)))
  assert batch["image"].shape == (4, 32, 32, 3) and batch["parts"].shape == (4, 0, 3)
  assert set(batch["species"].tolist()) <= {0, 1}
  for settings, message in (({"name": "eurosat", "table": "t.csv"}, "needs data.root"),
                            ({"name": "eurosat", "root": "r"}, "needs data.table"),
                            ({"name": "eurosat", "root": "r", "table": "t", "crop": 1},
                             r"unknown EuroSAT settings: \['crop'\]")):
    with pytest.raises(ValueError, match=message):
      sources.make_source(settings, "train")


def test_config_check_names_a_missing_table(tree):
  config = ml_collections.ConfigDict({"data": _config(tree, table="/no/table.csv"),
                                      "input": config_lib.input_config(batch_size=8)})
  with pytest.raises(FileNotFoundError, match=r"^data.table not found: /no/table.csv"):
    config_lib.check(config, training=False)


def test_preview_of_tiles_without_keypoints(tree, tmp_path):
  config = ml_collections.ConfigDict({
      "seed": 0, "data": _config(tree, val_fraction=0.25),
      "preview": config_lib.preview_config(num_images=4)})
  numbers = summary.write_preview(config, str(tmp_path), summary_examples=8, dpi=30)
  assert numbers["examples_per_split"] == {"train": 18, "val": 6, "test": 6}
  assert numbers["num_species"] == 3 and numbers["num_traits"] == 58
  assert numbers["sample"]["num_examples"] == 8
  assert (tmp_path / "examples_train.png").stat().st_size > 1000
  assert (tmp_path / "trait_table.csv").read_text().startswith(
      "species,has_dominant_cover::cropland")


def test_vocabulary_and_descriptions():
  book = phrases.phrase_book(TRAITS)
  assert len(TRAITS) == 58 and len(book.group_names()) == 12
  assert all(schema.GROUP_SEPARATOR in t and t.startswith("has_") for t in TRAITS)
  phrase = dict(zip(book.traits, book.phrases))
  assert phrase["has_water_form::river_channel"] == "river channel water form"
  assert phrase["has_linear_features::none"] == "no linear features"
  descriptions = json.loads((conftest.REPO / "data" / "descriptions" / "eurosat.json").read_text())
  assert tuple(descriptions) == REAL_CLASSES
  assert all(60 <= len(text.split()) <= 120 for text in descriptions.values())


def test_the_real_folder_lists_1200_tiles_a_class(tmp_path):
  if not (EUROSAT_ROOT / "EuroSAT_RGB").is_dir():
    pytest.skip(f"EuroSAT data not found at {EUROSAT_ROOT}")
  table = _table(tmp_path / "table.csv", species=REAL_CLASSES)
  dataset = eurosat.EurosatDataset(EUROSAT_ROOT, table, val_fraction=0.1)
  assert dataset.species_names == REAL_CLASSES and len(dataset) == 12000
  np.testing.assert_array_equal(np.bincount(dataset.labels), [1200] * 10)
  np.testing.assert_array_equal(np.bincount(dataset.labels[dataset.split_indices("test")]),
                                [240] * 10)
  np.testing.assert_array_equal(dataset.species_train_counts, [864] * 10)
  first = pathlib.Path(dataset.image_paths[0])
  assert first.parent.name == "AnnualCrop" and first.name.startswith("AnnualCrop_")
  with Image.open(first) as tile:  # One tile, not 12,000.
    assert tile.size == (64, 64) and tile.mode == "RGB"
