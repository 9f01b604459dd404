"""Tests for traitjax.tasks.concepts beyond the trainer: test-time intervention, traits held
out of training, reworded trait phrases."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests import conftest
from traitjax import tasks
from traitjax.data import sources
from traitjax.models import cbm


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
    return cbm.species_logits_from_traits(task.model, params, corrected,
                                                 task.species_table)

  np.testing.assert_allclose(intervened[:, 0], expected({}), rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(intervened[:, 1], expected({7: 1.0}), rtol=1e-5, atol=1e-5)
  every_known = expected({7: 1.0, 9: 0.0, 11: 0.0})
  np.testing.assert_allclose(intervened[:, 2], every_known, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(intervened[:, 3], every_known, rtol=1e-5, atol=1e-5)
  assert not np.allclose(intervened[:, 0], intervened[:, 1])


MINILM = conftest.MINILM


@pytest.mark.skipif(not MINILM.is_dir(), reason=f"sentence encoder not found at {MINILM}")
def test_held_out_traits_never_train_and_a_reworded_phrase_changes_only_its_group(tmp_path):
  """With the phrases trait head and 20% of traits held out: the loss ignores the held-out
  traits' labels; rewording one trait's phrase in a phrase file changes that trait's logits,
  with the same parameters, and no logit outside its group (whose phrases share a centre)."""
  config = conftest.load_config_module("open_vocabulary").get_config("smoke")
  config.data.image_size = 32
  source = sources.make_source(config.data, "train")
  task = tasks.make_task(config, source)
  heldout = np.flatnonzero(task.heldout_traits)
  assert len(heldout) == round(0.2 * source.trait_table.num_traits)
  batch = {k: np.stack([np.asarray(source[i][k]) for i in range(4)]) for k in source[0]}
  batch["image"] = batch["image"].astype(np.float32) / 127.5 - 1
  batch["valid"] = np.ones(4, bool)
  variables = task.init(jax.random.key(0), batch)
  state = {k: v for k, v in variables.items() if k != "params"}
  loss = lambda b: float(task.loss(variables["params"], state, b, None)[0])
  relabelled = dict(batch, traits=batch["traits"].copy())
  relabelled["traits"][:, heldout] = 1 - np.nan_to_num(relabelled["traits"][:, heldout])
  assert loss(relabelled) == loss(batch)
  trained = np.flatnonzero(~task.heldout_traits)[0]
  relabelled["traits"][:, trained] = 1 - np.nan_to_num(relabelled["traits"][:, trained])
  assert loss(relabelled) != loss(batch)

  reworded = source.trait_table.traits[heldout[0]]
  (tmp_path / "phrases.txt").write_text(f"{reworded}\tbright blue star-shaped fruit\n")
  config.model.trait_phrases = str(tmp_path / "phrases.txt")
  edited = tasks.make_task(config, source)
  before = task.predict(variables["params"], state, batch)["trait_logits"]
  after = edited.predict(variables["params"], state, batch)["trait_logits"]
  changed = np.any(np.abs(np.asarray(after) - np.asarray(before)) > 1e-6, axis=0)
  group = np.asarray(source.trait_table.groups) == source.trait_table.groups[heldout[0]]
  assert changed[heldout[0]] and not np.any(changed & ~group)
