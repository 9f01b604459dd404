"""Tests for traitjax.tasks.concepts beyond the trainer: traits held out of training, reworded
trait phrases, species held out of training."""

import jax
import ml_collections
import numpy as np
import pytest

from tests import conftest
from tests import run_main
from traitjax import tasks
from traitjax import train
from traitjax.data import schema
from traitjax.data import sources
from traitjax.tasks import concepts


MINILM = conftest.MINILM


@pytest.mark.slow
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


def _rows_csv(path, table, rows):
  """`table` with `rows` [S, T] as its values, written where `species_rows` reads it."""
  schema.TraitTable(rows, species=table.species, traits=table.traits).to_csv(path)
  return str(path)


@pytest.mark.slow
@pytest.mark.parametrize("species_head", ["cosine", "table"])
def test_training_never_reads_a_held_out_species_row(tmp_path, species_head):
  """Inductive zero-shot: two runs whose tables differ only in the held-out species' rows end
  with bit-identical parameters, while changing one trained species' row changes them (so the
  rows do reach training, and only the trained ones)."""
  config = conftest.load_config_module("default").get_config("smoke")
  config.data.image_size = 32
  config.model.species_head = species_head
  config.evals = ml_collections.ConfigDict()
  config.trust.fit_split = ""
  source = sources.make_source(config.data, "train")
  table, seen = source.trait_table, np.asarray(source.seen_species)
  assert 0 < (~seen).sum() < len(seen)
  rng = np.random.default_rng(0)

  def trained_params(name, values):
    config.model.species_rows = _rows_csv(tmp_path / f"{name}.csv", table, values)
    workdir = tmp_path / name
    train.train_and_evaluate(config, str(workdir))
    return jax.tree.leaves(run_main.restore_state(workdir, config.train.steps)["params"])

  first = trained_params("first", table.values)
  other_unseen = table.values.copy()
  other_unseen[~seen] = rng.random(((~seen).sum(), table.num_traits))
  second = trained_params("other_unseen_rows", other_unseen)
  assert all(np.array_equal(a, b) for a, b in zip(first, second))
  other_seen = table.values.copy()
  other_seen[np.flatnonzero(seen)[0]] = 1 - other_seen[np.flatnonzero(seen)[0]]
  third = trained_params("other_seen_row", other_seen)
  assert not all(np.array_equal(a, b) for a, b in zip(first, third))


def test_a_dense_head_never_names_a_species_it_never_trained_on():
  """A linear species head has an output per species, but those of held-out species are
  untrained weights: predict and the head on given traits rule them out."""
  config = conftest.load_config_module("default").get_config("smoke")
  config.data.image_size = 32
  config.model.species_head = "linear"
  source = sources.make_source(config.data, "train")
  seen = np.asarray(source.seen_species)
  task = tasks.make_task(config, source)
  batch = {k: np.stack([np.asarray(source[i][k]) for i in range(4)]) for k in source[0]}
  batch["image"] = batch["image"].astype(np.float32) / 127.5 - 1
  variables = task.init(jax.random.key(0), batch)
  state = {k: v for k, v in variables.items() if k != "params"}
  logits = np.asarray(task.predict(variables["params"], state, batch)["species_logits"])
  assert (logits[:, ~seen] == concepts.UNTRAINED_LOGIT).all()
  assert (logits[:, seen] > concepts.UNTRAINED_LOGIT).all()
  from_traits = np.asarray(task.species_logits_from_traits(
      variables["params"], np.full((2, source.trait_table.num_traits), 0.5)))
  assert (from_traits[:, ~seen] == concepts.UNTRAINED_LOGIT).all()
