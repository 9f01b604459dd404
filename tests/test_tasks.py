"""Tests for traitjax.tasks.bottleneck beyond the trainer: test-time intervention."""

import jax
import jax.numpy as jnp
import numpy as np

from tests import conftest
from traitjax import tasks
from traitjax.data import sources
from traitjax.models import bottleneck


def test_intervention_corrects_the_k_most_uncertain_known_traits():
  config = conftest.load_config_module("trait_to_species").get_config("smoke")
  config.data.image_size = 32
  config.intervention.ks = (0, 1, 3, 100)
  source = sources.make_source(config.data, "train")
  task = tasks.make_task(config, source)
  example = {k: np.asarray(v)[None] for k, v in source[0].items()}
  example["image"] = example["image"].astype(np.float32) / 127.5 - 1
  params = task.init(jax.random.key(0), example)["params"]
  num_traits = source.trait_table.num_traits
  probabilities = np.full((1, num_traits), 0.9, np.float32)
  probabilities[0, [4, 7, 9]] = [0.55, 0.45, 0.6]  # Uncertainty order: 4 and 7 (tie), 9.
  truth = np.full((1, num_traits), np.nan, np.float32)
  truth[0, [7, 9, 11]] = [1.0, 0.0, 0.0]  # Trait 4's truth is unknown: it is never corrected.
  logits = np.log(probabilities / (1 - probabilities))
  intervened = task._intervene(params, jnp.asarray(logits), jnp.asarray(truth))
  assert intervened.shape == (1, 4, source.trait_table.num_species)

  def expected(corrections):
    corrected = probabilities.copy()
    for trait, value in corrections.items():
      corrected[0, trait] = value
    return bottleneck.species_logits_from_traits(task.model, params, corrected,
                                                 task.species_table)

  np.testing.assert_allclose(intervened[:, 0], expected({}), rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(intervened[:, 1], expected({7: 1.0}), rtol=1e-5, atol=1e-5)
  every_known = expected({7: 1.0, 9: 0.0, 11: 0.0})
  np.testing.assert_allclose(intervened[:, 2], every_known, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(intervened[:, 3], every_known, rtol=1e-5, atol=1e-5)
  assert not np.allclose(intervened[:, 0], intervened[:, 1])
