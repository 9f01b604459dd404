"""configs/leafsnap_guide.py: its fields, the black box one override away, and its smoke variant
trained and evaluated end to end (every evaluator, on photos of one organ each, without
keypoints: by organ, and from several photos at once) on a small fake guide. The end-to-end
run swaps in the small ResNet without pretrained weights so that it compiles in seconds; the
config test checks the EfficientNet-Lite0 fields as configured."""

import os

import numpy as np
import pytest

from tests import conftest
from tests import fake_datasets
from tests.data import test_leafsnap_guide
from traitjax import config_lib
from traitjax import evaluators
from traitjax import grid
from traitjax import open_world
from traitjax import paths
from traitjax import tasks
from traitjax import train
from traitjax.data import leafsnap_guide
from traitjax.data import organs as plant_organs
from traitjax.data import sources
from traitjax.describe import tables


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
  """Three species, five photos of each of three organs, and a random table."""
  top = tmp_path_factory.mktemp("leafsnap_guide")
  photos = [(species, organ, n) for species in test_leafsnap_guide.SPECIES
            for organ in test_leafsnap_guide.ORGAN_NAMES[species]
            for n in range(1, test_leafsnap_guide.PER_ORGAN + 1)]
  return {"root": test_leafsnap_guide._write_guide(top / "guide", photos),
          "table": test_leafsnap_guide._table(top / "table.csv")}


def _config(arg=None):
  return conftest.load_config_module("leafsnap_guide").get_config(arg)


def _smoke(tree):
  config = _config("smoke")
  config.data.root = str(tree["root"])
  config.data.table = str(tree["table"])
  config.model.backbone = "resnet_small"
  config.model.pretrained = ""
  return config


def test_the_guide_config_reads_the_plant_table_with_a_frozen_pretrained_backbone(tmp_path):
  config = _config()
  assert config.data.name == "leafsnap_guide" and config.data.image_size == 128
  assert config.input.batch_size == 32
  assert config.data.table == str(conftest.REPO / "data" / "tables" / "leafsnap_written.csv")
  assert config.data.traits == leafsnap_guide.VOCABULARY
  assert config.data.organs == leafsnap_guide.ORGAN_MAP and config.data.organ_mask
  assert config.model.species_head == "cosine" and config.model.mode == "joint"
  assert config.model.backbone == "efficientnet_lite0" and config.model.frozen_batch_norm
  assert config.model.pretrained == paths.shared_path(
      "weights", "efficientnet_lite0_imagenet.safetensors")
  assert config.optim.frozen == ("backbone",) and not config.optim.lr_multipliers
  assert 0 < config.data.val_fraction < 1 and config.trust.fit_split == "val"
  kinds = {name: fields.type for name, fields in config.evals.items()}
  assert kinds == {"test": "classification", "intervention": "intervention",
                   "calibration": "calibration", "selective": "selective",
                   "conformal": "conformal", "explanations": "explanations",
                   "degradation": "degradation", "multi_photo": "multi_photo"}
  assert config.evals.multi_photo.counts == (1, 2, 3)
  assert len(evaluators.from_config(config.evals)) == len(kinds)
  smoke = _config("smoke")
  assert smoke.data.species == "0:3" and smoke.input.num_workers == 0
  assert smoke.train.steps <= 4 and smoke.model.pretrained == config.model.pretrained
  with pytest.raises(ValueError, match="unknown variant 'fast' of configs/leafsnap_guide.py"):
    _config("fast")
  if os.path.isdir(config.data.root) and os.path.isfile(config.model.pretrained):
    # Every path it reads exists, the table once it is written.
    config.data.table = str(test_leafsnap_guide._table(tmp_path / "table.csv"))
    config_lib.check(config)


def test_the_black_box_is_one_override_away(tree):
  config = _smoke(tree)
  source = sources.make_source(config.data, "train")
  joint = tasks.make_task(config, source)
  assert joint.model.species_head == "cosine" and joint.species_table.shape == (3, 98)
  config.model.mode = "blackbox"
  blackbox = tasks.make_task(config, source)
  assert blackbox.model.species_head == "linear" and blackbox.species_table is None


@pytest.mark.slow
def test_the_smoke_trains_and_evaluates_photos_of_one_organ_each(tree, tmp_path):
  config = _smoke(tree)
  report = train.train_and_evaluate(config, str(tmp_path / "leafsnap_guide"))
  test = sources.make_source(config.data, "test")
  assert report["num_examples"] == len(test) == 9  # One of each organ of each species.
  organs = plant_organs.PHOTO_ORGANS
  np.testing.assert_array_equal(np.bincount(test.organs, minlength=len(organs)) > 0,
                                [o in ("leaf", "needle", "flower", "fruit", "cone", "bark")
                                 for o in organs])
  assert 0 <= report["species_top1"] <= 1 and report["trait_auc_visible"] is None
  assert {"calibration", "selective", "conformal", "degradation", "intervention",
          "explanations", "multi_photo"} <= set(report)
  # Each organ's photos scored apart; the trait AUCs over the traits it can show.
  assert set(report["by_organ"]) == {"leaf", "needle", "flower", "fruit", "cone", "bark"}
  for name, scores in report["by_organ"].items():
    assert scores["num_examples"] == np.sum(test.organs == organs.index(name))
    assert scores["num_traits"] == test.organ_trait_mask[organs.index(name)].sum()
    assert 0 <= scores["species_top1_organ_gated"] <= 1
  assert 0 <= report["species_top1_organ_gated"] <= 1
  # Three photos of each test species, of three organs: every species in every count.
  multi = report["multi_photo"]
  assert multi["counts"] == [1, 2, 3] and multi["species_rule"] == "at least 3 photos"
  assert multi["num_species"] == 3 and multi["num_species_left_out"] == 0
  assert multi["chance"] == 1 / 3 and multi["organ_gating"]
  for n in ("1", "2", "3"):
    entry = multi["by_count"][n]
    assert entry["num_queries"] == 60
    for combination in ("pooled_gated", "pooled_ungated", "mean_gated", "mean_ungated"):
      low, high = entry[combination]["interval"]
      assert 0 <= low <= entry[combination]["species_top1"] <= high <= 1
  assert report["explanations"]["pointing_game"] is None
  assert set(report["degradation"]) == {"none", "blur", "dark", "partial"}

  # Another folder of two species never trained, in the guide's layout, their rows in a CSV:
  # the open world names its photos and the trained species' test photos among all five rows.
  new_root, rows = tmp_path / "new_species", []
  for species, organ, colour in (("Quercus alba", "Leaf", (90, 120, 40)),
                                 ("Ulmus americana", "Bark", (120, 90, 60))):
    for n in range(3):
      path = f"images/{species.replace(' ', '_')}/{organ}_{n}.jpg"
      fake_datasets.write_photo(new_root / path, (40, 20), colour)
      rows.append(",".join((path, species, organ)))
  (new_root / "images.csv").write_text("\n".join(["path,species,organ"] + rows) + "\n")
  new_rows = fake_datasets.random_table(tmp_path / "new_rows.csv",
                                        ("Quercus alba", "Ulmus americana"),
                                        test_leafsnap_guide.TRAITS)
  world = conftest.load_config_module("leafsnap_guide_open_world").get_config("smoke")
  world.data.root, world.data.table = str(tree["root"]), str(tree["table"])
  world.model.backbone, world.model.pretrained = "resnet_small", ""
  world.data.new_root, world.model.species_rows = str(new_root), str(new_rows)
  assert world.data.new_table == str(new_rows)  # One flag names the added species' rows.
  scored = train.evaluate_checkpoint(world, str(tmp_path / "leafsnap_guide"), "open_world")
  assert scored["num_examples"] == 9 and set(scored["by_organ"]) == set(report["by_organ"])
  assert scored["zeroshot"]["zeroshot"]["num_unseen_species"] == 2
  assert 0 <= scored["zeroshot"]["zeroshot"]["unseen_top1"] <= 1
  world_report = scored["open_world"]
  assert world_report["num_seen_species"] == 3 and world_report["num_unseen_species"] == 2
  assert world_report["num_seen_photos"] == 9 and world_report["num_unseen_photos"] == 6
  assert world_report["route"] == "calibrated_stacking"
  assert set(world_report["routes"]) == set(open_world.ROUTES)
  assert world_report["harmonic"] == world_report["routes"]["calibrated_stacking"]["harmonic"]


def test_the_zeroshot_sweep_holds_out_five_seeded_draws_of_twenty_species(tmp_path):
  module = conftest.load_config_module("leafsnap_guide_zeroshot")
  config = module.get_config()
  table = test_leafsnap_guide._table(tmp_path / "table.csv")
  splits = module.heldout_splits(str(table), num_splits=4, num_heldout=2)
  assert splits == module.heldout_splits(str(table), num_splits=4, num_heldout=2)  # Seeded.
  assert len(set(splits)) == 4 and all(split == tuple(sorted(split)) for split in splits)
  assert set().union(*splits) <= set(tables.read_table(table).species)
  heldout = dict(config.sweep.axes)["data.heldout_species"]
  assert heldout == module.heldout_splits(config.data.table)
  assert len(heldout) == 5 and {len(split) for split in heldout} == {20}
  assert config.model.species_head == "cosine" and config.data.val_fraction > 0
  assert config.trust.fit_split == "val"
  assert config.sweep.metrics[0] == "zeroshot.zeroshot.unseen_top1"
  assert {"unseen", "zeroshot", "open_world"} <= set(config.evals)
  assert config.evals.open_world.fit_split == "val"
  if os.path.isdir(config.data.root):  # Each point's unseen species are exactly its 20.
    data = grid.point_config(config, grid.points(config.sweep)[0]).data
    zeroshot, train_split = (sources.make_source(data, split) for split in ("zeroshot", "train"))
    names = lambda source: {source.trait_table.species[k] for k in set(source.labels)}
    assert names(zeroshot) == set(heldout[0]) and not names(train_split) & set(heldout[0])
