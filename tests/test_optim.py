"""Tests for optim.make_optimizer: frozen prefixes and per-prefix learning-rate multipliers."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from traitjax import config_lib
from traitjax import optim


def _params():
  rng = np.random.default_rng(0)
  return {
      "backbone": {"stem": {"kernel": jnp.asarray(rng.normal(size=(3, 4)), jnp.float32)},
                   "stage1": {"kernel": jnp.asarray(rng.normal(size=(4, 4)), jnp.float32)}},
      "trait_head": {"kernel": jnp.asarray(rng.normal(size=(4, 2)), jnp.float32)},
  }


def _updates(params, gradients, **overrides):
  config = config_lib.optim_config(learning_rate=0.1)
  config.warmup_steps = 0
  config.update(overrides)
  tx = optim.make_optimizer(config, total_steps=10, params=params)
  state = tx.init(params)
  updates = []
  for _ in range(3):
    update, state = tx.update(gradients, state, params)
    updates.append(update)
  return updates


def _gradients(params, scale=1.0):
  return jax.tree.map(lambda p: scale * jnp.cos(p), params)


@pytest.mark.parametrize("name", ["adamw", "sgd"])
def test_lr_multiplier_scales_exactly_the_updates_under_its_prefix(name):
  params = _params()
  plain = _updates(params, _gradients(params), name=name)
  scaled = _updates(params, _gradients(params), name=name,
                    lr_multipliers=(("backbone/stage1", 0.25), ("backbone", 0.5)))
  for before, after in zip(plain, scaled):
    np.testing.assert_allclose(after["backbone"]["stage1"]["kernel"],
                               0.25 * before["backbone"]["stage1"]["kernel"], rtol=1e-6)
    np.testing.assert_allclose(after["backbone"]["stem"]["kernel"],
                               0.5 * before["backbone"]["stem"]["kernel"], rtol=1e-6)
    np.testing.assert_array_equal(after["trait_head"]["kernel"], before["trait_head"]["kernel"])
    assert np.abs(before["trait_head"]["kernel"]).min() > 0


def test_frozen_parameters_get_no_update_and_do_not_count_in_the_clipped_norm():
  params = _params()
  gradients = _gradients(params)
  huge_frozen = {**gradients, "backbone": jax.tree.map(lambda g: 1e6 * g, gradients["backbone"])}
  reference = _updates(params, gradients, frozen=("backbone",), grad_clip_norm=1e9)
  clipped_free = _updates(params, huge_frozen, frozen=("backbone",), name="sgd")
  plain = _updates(params, gradients, frozen=("backbone",), name="sgd")
  for update in reference + clipped_free:
    for leaf in jax.tree.leaves(update["backbone"]):
      np.testing.assert_array_equal(leaf, 0.0)
  for with_huge, without in zip(clipped_free, plain):
    np.testing.assert_allclose(with_huge["trait_head"]["kernel"], without["trait_head"]["kernel"],
                               rtol=1e-6)
  assert np.abs(reference[0]["trait_head"]["kernel"]).min() > 0


@pytest.mark.parametrize("optim", [{"frozen": ("backbone/stage9",)},
                                   {"lr_multipliers": (("head", 0.1),)}])
def test_a_prefix_that_matches_no_parameter_is_an_error(optim):
  with pytest.raises(ValueError, match="match no parameter"):
    _updates(_params(), _gradients(_params()), **optim)
