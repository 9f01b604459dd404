"""One training step on tiny shapes for each model family, as the Flax examples'
train_test.py checks theirs: the trainer's jitted step runs on a batch of four 32 px photos,
every measurement is finite, the step counter moves, and the trained parameters change while
frozen ones do not (the fast lane's check of the trainer; tests/test_train.py trains whole
smoke runs)."""

import jax
import numpy as np
import pytest

from tests import conftest
from traitjax import optim
from traitjax import sharding
from traitjax import tasks
from traitjax import train
from traitjax.data import pipeline
from traitjax.data import sources

# (config, frozen parameter prefixes, model fields): one of each task (tasks.TASKS), its model
# shrunk; tests/test_train.py trains the other modes and heads in whole smoke runs.
FAMILIES = [("default", ("backbone/stage1",), {}),
            ("slots", (), {"num_slots": 2, "slot_size": 8, "num_iterations": 1})]


@pytest.mark.parametrize("name, frozen, model", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_one_step_trains_on_tiny_shapes(name, frozen, model):
  config = conftest.load_config_module(name).get_config("smoke")
  config.data.image_size = 32
  config.input.batch_size = 4
  config.optim.warmup_steps = 0  # A first step at a learning rate of 0 would train nothing.
  config.optim.frozen = frozen
  config.model.update(model)
  source = sources.make_source(config.data, "train")
  task = tasks.make_task(config, source)
  mesh = sharding.make_mesh()
  state, tx = optim.initial_state(task, source, config, mesh)
  frozen_mask = optim.frozen_mask(config.optim, state.params)
  step = train.compiled_train_step(task, tx, mesh, frozen_mask,
                                   optim.learning_rate_schedule(config.optim, 10))
  batch = next(iter(pipeline.train_dataset(source, 4, seed=0, augmentation=False)))
  before = jax.device_get(state.params)
  state, measurements = step(state, sharding.global_batch(batch, mesh))
  measurements = jax.device_get(measurements)
  assert int(state.step) == 1
  assert {"loss", "grad_norm", "learning_rate", "nonfinite_steps"} <= set(measurements)
  assert all(np.isfinite(value) for value in measurements.values()), measurements
  assert measurements["nonfinite_steps"] == 0
  moved = jax.tree.map(lambda a, b: bool(np.any(a != b)), before,
                       jax.device_get(state.params))
  pairs = list(zip(jax.tree.leaves(moved), jax.tree.leaves(frozen_mask)))
  assert not any(changed for changed, is_frozen in pairs if is_frozen)
  assert any(changed for changed, is_frozen in pairs if not is_frozen)
  assert any(is_frozen for _, is_frozen in pairs) == bool(frozen)
