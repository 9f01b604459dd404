"""Every config passes the same checks before a run: each bad value is named in one line."""


import pytest

from tests import conftest
from traitjax import config_lib


def _config(name="default"):
  return conftest.load_config_module(name).get_config("smoke")


@pytest.mark.parametrize("field, value, message", [
    ("train.steps", -5, r"^train.steps must be positive, got -5$"),
    ("train.steps", 0, r"^train.steps must be positive, got 0$"),
    ("input.batch_size", 0, r"^input.batch_size must be positive, got 0$"),
    ("train.log_every", 0, r"^train.log_every must be positive"),
    ("input.num_workers", -1, r"^input.num_workers must be >= 0"),
    ("data.degraded_fraction", 1.5, r"^data.degraded_fraction must lie in \[0, 1\], got 1.5$"),
    ("data.missing", -0.1, r"^data.missing must lie in \[0, 1\]"),
    ("model.heldout_trait_fraction", 2.0, r"^model.heldout_trait_fraction must lie in \[0, 1\]"),
    ("model.pretrained", "/nowhere/weights.safetensors",
     r"^model.pretrained not found: /nowhere/weights.safetensors \(set "
     r"--config.model.pretrained=, or TRAITJAX_SHARED"),
])
def test_a_value_no_run_can_use_is_named(field, value, message):
  config = _config()
  *parents, leaf = field.split(".")
  node = config
  for parent in parents:
    node = node[parent]
  node[leaf] = value
  with pytest.raises((ValueError, FileNotFoundError), match=message):
    config_lib.check(config)


def test_the_smoke_configs_pass_and_evaluation_needs_no_training_periods():
  for name in ("default", "blackbox", "trait_to_species", "slots"):
    config_lib.check(_config(name))
  config = _config()
  config.train.steps = 0
  config_lib.check(config, training=False)


def test_a_missing_cub_root_names_its_field():
  config = _config("cub")
  config.data.root = "/no/cub/here"
  with pytest.raises(FileNotFoundError, match=r"^data.root not found: /no/cub/here"):
    config_lib.check(config)


def test_a_zeroshot_sweep_collects_every_open_world_route():
  from traitjax import open_world  # pylint: disable=g-import-not-at-top
  assert config_lib.OPEN_WORLD_ROUTES == open_world.ROUTES
