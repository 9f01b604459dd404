"""configs/eurosat.py and configs/eurosat_zeroshot.py: their fields and splits, the black box one
override away, and their smoke variants trained and evaluated end to end (every evaluator on
tiles without keypoints, then `explain` on the workdir, and the zero-shot sweep) on a small fake
EuroSAT tree. The end-to-end runs swap in the small ResNet without pretrained weights so that
they compile in seconds; the config test checks the EfficientNet-Lite0 fields as configured."""

import json
import os
import pathlib

import numpy as np
from PIL import Image
import pytest

from tests import conftest
from tests.explain import consistency
from traitjax import config_lib
from traitjax import evaluators
from traitjax import grid
from traitjax import paths
from traitjax import tasks
from traitjax import train
from traitjax.data import eurosat
from traitjax.data import schema
from traitjax.data import sources
from traitjax.data import vocabulary
from traitjax.explain import photos

CLASSES = ("AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture",
           "PermanentCrop", "Residential", "River", "SeaLake")
TILES_PER_CLASS = 8


def _write_tree(root, classes, per_class):
  """root/EuroSAT_RGB/<Class>/<Class>_<n>.jpg: noisy tiles of one tone per class."""
  rng = np.random.default_rng(0)
  for k, name in enumerate(classes):
    folder = root / "EuroSAT_RGB" / name
    folder.mkdir(parents=True)
    tone = np.array([40 + 60 * (k % 3), 40 + 30 * (k % 5), 40 + 20 * k])
    for n in range(1, per_class + 1):
      tile = np.clip(tone + rng.normal(0, 12, (64, 64, 3)), 0, 255).astype(np.uint8)
      Image.fromarray(tile).save(folder / f"{name}_{n}.jpg")
  return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
  """The first three classes (those of the smoke variants), a few tiles each."""
  return _write_tree(tmp_path_factory.mktemp("eurosat"), CLASSES[:3], TILES_PER_CLASS)


def _config(name, arg=None):
  return conftest.load_config_module(name).get_config(arg)


def _smoke(name, tree):
  config = _config(name, "smoke")
  config.data.root = str(tree)
  config.model.backbone = "resnet_small"
  config.model.pretrained = ""
  config.optim.frozen = ("backbone",)  # EfficientNet-Lite0's stages are not resnet_small's.
  return config


def test_the_habitat_config_reads_the_parsed_table_with_a_frozen_pretrained_backbone():
  config = _config("eurosat")
  assert config.data.name == "eurosat" and config.data.image_size == 128
  assert config.data.table == str(conftest.REPO / "data" / "tables" / "eurosat.csv")
  assert config.data.traits == eurosat.VOCABULARY
  assert config.model.species_head == "cosine" and config.model.mode == "joint"
  assert config.model.backbone == "efficientnet_lite0" and config.model.frozen_batch_norm
  assert config.model.pretrained == paths.shared_path(
      "weights", "efficientnet_lite0_imagenet.safetensors")
  # The stem and the first six stages keep ImageNet's weights; stage7 and the head conv adapt.
  assert set(config.optim.frozen) == {"backbone/stem"} | {f"backbone/stage{k}" for k in range(1, 7)}
  assert dict(config.optim.lr_multipliers) == {"backbone": 0.1}
  # Explanations name the characteristics by their phrases; colours and textures keep their
  # automatic ones ("dark green colour", "coarse texture").
  named = json.loads(pathlib.Path(config.model.trait_phrases).read_text())
  unnamed = set(vocabulary.read_traits(eurosat.VOCABULARY)) - set(named)
  assert {schema.group_of(name) for name in unnamed} == {"has_colour", "has_texture"}
  assert 0 < config.data.val_fraction < 1 and config.trust.fit_split == "val"
  kinds = {name: fields.type for name, fields in config.evals.items()}
  assert kinds == {"test": "classification", "intervention": "intervention",
                   "calibration": "calibration", "selective": "selective",
                   "conformal": "conformal", "explanations": "explanations",
                   "degradation": "degradation"}
  assert len(evaluators.from_config(config.evals)) == len(kinds)
  # The committed table: a row for every class, the vocabulary's columns in its order.
  table = schema.TraitTable.from_csv(config.data.table)
  descriptions = json.loads((conftest.REPO / "data" / "descriptions" / "eurosat.json").read_text())
  assert table.species == tuple(descriptions) == CLASSES
  assert table.traits == vocabulary.read_traits(eurosat.VOCABULARY)
  assert np.all((table.values >= 0) & (table.values <= 1))
  smoke = _config("eurosat", "smoke")
  assert smoke.data.species == "0:3" and smoke.input.num_workers == 0
  assert smoke.train.steps <= 4 and smoke.model.pretrained == config.model.pretrained
  with pytest.raises(ValueError, match="unknown variant 'fast' of configs/eurosat.py"):
    _config("eurosat", "fast")
  if os.path.isdir(config.data.root) and os.path.isfile(config.model.pretrained):
    config_lib.check(config)  # Every path it reads exists.


def test_the_black_box_is_one_override_away(tree):
  config = _smoke("eurosat", tree)
  source = sources.make_source(config.data, "train")
  joint = tasks.make_task(config, source)
  assert joint.model.species_head == "cosine" and joint.species_table.shape == (3, 58)
  config.model.mode = "blackbox"
  blackbox = tasks.make_task(config, source)
  assert blackbox.model.species_head == "linear" and blackbox.species_table is None
  assert not blackbox.species_reads_traits


def test_the_zeroshot_sweep_holds_out_five_fixed_random_splits(tmp_path):
  module = conftest.load_config_module("eurosat_zeroshot")
  assert module.CLASSES == CLASSES
  rng, drawn = np.random.default_rng(0), []
  while len(drawn) < 5:  # As the file documents.
    split = tuple(CLASSES[i] for i in sorted(rng.choice(10, 3, replace=False)))
    drawn += [split] * (split not in drawn)
  assert module.HELDOUT_SPLITS == tuple(drawn)
  config = module.get_config()
  assert config.model.species_head == "cosine" and config.train.steps == module.STEPS
  assert config.optim.frozen == ("backbone",) and not config.optim.lr_multipliers
  assert config.data.val_fraction > 0 and config.trust.fit_split == "val"
  assert {fields.type for fields in config.evals.values()} == {
      "classification", "intervention", "zeroshot", "open_world"}
  assert dict(config.sweep.axes) == {"data.heldout_species": module.HELDOUT_SPLITS}
  assert config.sweep.metrics == config_lib.ZEROSHOT_SWEEP_METRICS
  # Each point holds out its three classes by name (on a tree of all ten classes).
  config.data.root = str(_write_tree(tmp_path, CLASSES, 3))
  for point in grid.points(config.sweep):
    data = grid.point_config(config, point).data
    assert data.heldout_species == point["data.heldout_species"]
    unseen = {CLASSES[k] for k in sources.make_source(data, "zeroshot").labels}
    assert unseen == set(data.heldout_species)
    assert not unseen & {CLASSES[k] for k in sources.make_source(data, "train").labels}


@pytest.mark.slow
def test_the_habitat_smoke_trains_evaluates_and_explains_tiles_without_keypoints(tree,
                                                                                  tmp_path):
  config = _smoke("eurosat", tree)
  workdir = tmp_path / "eurosat"
  report = train.train_and_evaluate(config, str(workdir))
  assert report["num_examples"] == len(sources.make_source(config.data, "test")) > 0
  assert 0 <= report["species_top1"] <= 1 and report["trait_auc_visible"] is None
  assert {"calibration", "selective", "conformal", "degradation", "intervention"} <= set(report)
  explained = report["explanations"]
  assert explained["pointing_game"] is None and explained["num_pointed"] == 0
  assert explained["deletion_area_cited"] is not None
  assert set(report["degradation"]) == {"none", "blur", "dark", "partial"}

  # Two classes it never trained, in EuroSAT's layout, their rows from the parsed table: the
  # open world names their tiles and its own test tiles among all five rows.
  new_root = _write_tree(tmp_path / "new", CLASSES[5:7], 4)
  parsed = schema.TraitTable.from_csv(config.data.table)
  rows = [parsed.species.index(name) for name in CLASSES[5:7]]
  new_rows = tmp_path / "new_rows.csv"
  schema.TraitTable(parsed.values[rows], species=CLASSES[5:7], traits=parsed.traits).to_csv(
      new_rows)
  world = _smoke("eurosat_open_world", tree)
  world.data.new_root, world.model.species_rows = str(new_root), str(new_rows)
  scored = train.evaluate_checkpoint(world, str(workdir), "open_world")["open_world"]
  assert (scored["num_seen_photos"], scored["num_unseen_photos"]) == (report["num_examples"], 8)
  assert (scored["num_seen_species"], scored["num_unseen_species"]) == (3, 2)
  assert all(0 <= route["harmonic"] <= 1 for route in scored["routes"].values())

  out = tmp_path / "explained"
  index = photos.explain(str(workdir), str(out), split="test", num=2, top_k=2,
                                 num_prototypes=1)
  for photo in index["photos"]:
    record = json.loads((out / f"{photo['name']}.json").read_text())
    assert record["description"].endswith(".") and record["description"] == photo["description"]
    assert record["species"][0]["name"] in CLASSES[:3]
    assert consistency.disagreements(record) == []  # Text, JSON and chart say one thing.
  assert (out / "index.html").read_text().count('class="description"') == len(index["photos"])


@pytest.mark.slow
def test_the_zeroshot_smoke_sweeps_its_splits_through_the_shared_trainer(tree, tmp_path):
  config = _smoke("eurosat_zeroshot", tree)
  section = grid.run(config, str(tmp_path))
  assert [r["point"]["data.heldout_species"] for r in section["results"]] == ["1:2", "2:3"]
  for result in section["results"]:
    assert result["zeroshot.zeroshot.unseen_top1"] == 1.0  # Among one unseen class.
    assert 0 <= result["zeroshot.zeroshot.harmonic_mean"] <= 1
    assert 0 <= result["species_top1"] <= 1
  assert section["mean"]["zeroshot.zeroshot.unseen_top1"] == 1.0
  summary = json.loads((tmp_path / "metrics.json").read_text())
  assert summary["eurosat_zeroshot"]["computed"] == [grid.point_name(r["point"])
                                                      for r in section["results"]]


def test_the_open_world_config_appends_a_new_root_s_classes_none_of_them_trained(tree, tmp_path):
  config = _smoke("eurosat_open_world", tree)
  assert config.model.species_head == "cosine" and config.evals.open_world.fit_split == "val"
  config.data.new_root = str(_write_tree(tmp_path / "new", CLASSES[5:7], 4))
  with pytest.raises(ValueError, match="data.new_root needs data.new_table"):
    sources.make_source(config.data, "test")
  config.model.species_rows = config.data.table  # Its rows of the two new classes are read.
  assert sources.splits(config.data) == ("train", "val", "test", "zeroshot")
  test, added = (sources.make_source(config.data, split) for split in ("test", "zeroshot"))
  assert test.trait_table.species == CLASSES[:3] + CLASSES[5:7]
  assert list(added.seen_species) == [True] * 3 + [False] * 2
  np.testing.assert_array_equal(added.labels, [3] * 4 + [4] * 4)
  assert [added[k][schema.SPECIES] for k in (0, 7)] == [3, 4]
  assert set(test.labels) == {0, 1, 2} and len(added) == 8
  config.data.new_root = str(tree)  # The trained classes again: not new.
  with pytest.raises(ValueError, match="holds 3 species data.root has too"):
    sources.make_source(config.data, "test")
  config.data.new_root = ""
  with pytest.raises(ValueError, match="data.new_table names the rows of the species under "
                     "data.new_root, which is not set"):
    sources.make_source(config.data, "test")


def test_holding_out_all_of_a_root_points_to_the_open_world_configs(tree):
  config = _smoke("eurosat", tree)
  config.data.heldout_species = ("all",)  # As --config.data.heldout_species=all parses.
  with pytest.raises(ValueError, match=r"use --mode=eval --config=configs/<dataset>_open_world.py"
                     r" --config.data.new_root=DIR --config.model.species_rows=CSV"):
    sources.make_source(config.data, "test")
