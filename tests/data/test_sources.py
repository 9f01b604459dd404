"""Datasets found by name (the registry of traitjax.data.sources), and sources built from other
sources."""

import ml_collections
import numpy as np
import pytest

from tests import conftest
from traitjax import config_lib
from traitjax import train
from traitjax.data import eurosat
from traitjax.data import schema
from traitjax.data import sources
from traitjax.data import synthetic_flora


def test_a_subset_spreads_evenly_and_counts_its_examples_from_zero():
  source = synthetic_flora.FloraSource(synthetic_flora.Flora(synthetic_flora.Config(
      num_species=20, max_train_per_species=40, imbalance=10, test_per_species=3)), "test")
  photos = sources.Subset.evenly_spaced(source, 7)
  np.testing.assert_array_equal(photos.indices, [0, 6, 13, 20, 27, 34, 41])
  assert len(source) == 48
  np.testing.assert_array_equal(photos.labels, source.labels[photos.indices])
  example = photos[2]
  assert example[schema.INDEX] == 2
  np.testing.assert_array_equal(example[schema.IMAGE], source[13][schema.IMAGE])
  assert len(sources.Subset.evenly_spaced(source, 0)) == len(source)
  with pytest.raises(ValueError, match=r"subset indices must lie in \[0, 48\)"):
    sources.Subset(source, [48])


TOY = "tests.data.toy_dataset"


def test_a_dataset_is_found_by_name_with_its_settings_paths_and_splits():
  config = ml_collections.ConfigDict({"name": "eurosat", "root": "r", "table": "t.csv"})
  assert sources.dataset_module("eurosat") is eurosat
  assert sources.path_fields(config) == ("root", "test_root", "table", "traits")
  assert set(sources.known_datasets()) >= {"cub", "eurosat", "leafsnap_guide", "synthetic_flora"}
  assert "schema" not in sources.known_datasets()  # A module of data/ that is no dataset.
  toy = ml_collections.ConfigDict({"name": TOY, "photos_per_species": 2})
  assert sources.splits(toy) == ("train", "test") and sources.path_fields(toy) == ()
  train = sources.make_source(toy, "train")
  assert len(train) == 6 and train.trait_table.num_traits == 3
  schema.check_example(train[5], num_traits=3, num_parts=0)
  assert len(sources.make_source(toy, "train+test")) == 12


@pytest.mark.parametrize("name", ["cubb", "schema", "", None, "tests.data.no_such_module"])
def test_an_unknown_dataset_is_one_line_naming_those_there_are(name):
  with pytest.raises(ValueError, match=r"unknown dataset .*; known: cub, eurosat, "
                     r"leafsnap_guide, synthetic_flora \(or a module path"):
    sources.make_source({"name": name}, "train")


@pytest.mark.slow
def test_a_dataset_outside_traitjax_is_its_module_and_a_config(tmp_path):
  """One training step and its evaluation on tests/data/toy_dataset.py: the trainer, the
  checks and the evaluators read it by name alone."""
  config = conftest.load_config_module("default").get_config("smoke")
  config.data = ml_collections.ConfigDict({"name": TOY, "image_size": 16})
  config.trust.fit_split = ""
  config.evals = ml_collections.ConfigDict({"test": config_lib.eval_config("classification",
                                                                           "test", section="")})
  config.train.steps = 1
  config.input.batch_size = 4
  report = train.train_and_evaluate(config, str(tmp_path / "toy"))
  assert report["num_examples"] == 12 and 0 <= report["species_top1"] <= 1
