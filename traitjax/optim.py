"""The optimizer and the train state it updates.

`make_optimizer`: warm-up + cosine (or constant) schedule, gradient clipping, AdamW or SGD;
parameters under an `optim.frozen` path prefix get no updates, and `optim.lr_multipliers` scale
the learning rate under a prefix. `initial_state`: a task's freshly initialised train state,
replicated over the mesh.
"""

from __future__ import annotations

from typing import Any

import flax
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax

from traitjax import sharding
from traitjax.data import pipeline


@flax.struct.dataclass
class TrainState:
  step: jax.Array
  params: Any
  model_state: Any  # Non-trainable collections, e.g. batch_stats.
  opt_state: Any
  rng: jax.Array


def learning_rate_schedule(config: ml_collections.ConfigDict, total_steps: int) -> optax.Schedule:
  """Linear warm-up from 0, then cosine decay to `final_lr_fraction` or a constant rate."""
  warmup = min(config.warmup_steps, max(total_steps - 1, 0))
  if config.schedule == "cosine":
    return optax.warmup_cosine_decay_schedule(
        0.0, config.learning_rate, warmup, max(total_steps, warmup + 1),
        end_value=config.learning_rate * config.final_lr_fraction)
  if config.schedule == "constant":
    return optax.join_schedules(
        [optax.linear_schedule(0.0, config.learning_rate, max(warmup, 1)),
         optax.constant_schedule(config.learning_rate)], [warmup])
  raise ValueError(f"unknown schedule {config.schedule!r}; known: cosine, constant")


def make_optimizer(config: ml_collections.ConfigDict, total_steps: int,
                   params) -> optax.GradientTransformation:
  """Clipping, then AdamW or SGD on `learning_rate_schedule`. Parameters under a `frozen` path
  prefix (e.g. "backbone/stem") get no updates (and do not count in the clipped norm);
  `lr_multipliers` pairs (prefix, factor) scale the learning rate of the parameters under a
  prefix (the first matching pair wins), e.g. (("backbone", 0.1),) to fine-tune a pretrained
  backbone gently."""
  schedule = learning_rate_schedule(config, total_steps)
  if config.name == "adamw":
    update = optax.adamw(schedule, weight_decay=config.weight_decay)
  elif config.name == "sgd":
    update = optax.chain(optax.add_decayed_weights(config.weight_decay),
                         optax.sgd(schedule, momentum=0.9, nesterov=True))
  else:
    raise ValueError(f"unknown optimizer {config.name!r}; known: adamw, sgd")
  tx = optax.chain(optax.clip_by_global_norm(config.grad_clip_norm), update)

  paths = _parameter_paths(params)
  multipliers = tuple((prefix, float(factor)) for prefix, factor in config.lr_multipliers)
  _check_prefixes("optim.lr_multipliers", [prefix for prefix, _ in multipliers], paths)
  frozen = frozen_mask(config, params)
  if any(jax.tree.leaves(frozen)):
    labels = jax.tree.map(lambda is_frozen: "frozen" if is_frozen else "trained", frozen)
    tx = optax.multi_transform({"trained": tx, "frozen": optax.set_to_zero()}, labels)
  if multipliers:
    # Both optimizers' updates are linear in the learning rate, so scaling an update scales
    # its learning rate (and, as in AdamW, its weight decay).
    factors = jax.tree.map(
        lambda path: next((f for prefix, f in multipliers if path.startswith(prefix)), 1.0),
        paths)
    tx = optax.chain(tx, optax.stateless(
        lambda updates, params=None: jax.tree.map(lambda u, f: u * f, updates, factors)))
  return tx


def frozen_mask(config: ml_collections.ConfigDict, params):
  """The tree of `params` with True for each leaf under an `optim.frozen` path prefix."""
  paths = _parameter_paths(params)
  frozen = tuple(config.frozen)
  _check_prefixes("optim.frozen", frozen, paths)
  return jax.tree.map(lambda path: path.startswith(frozen), paths)


def _parameter_paths(params):
  """The tree of `params` with each leaf replaced by its path, e.g. "backbone/stem/kernel"."""
  return jax.tree_util.tree_map_with_path(
      lambda path, _: "/".join(str(getattr(k, "key", k)) for k in path), params)


def _check_prefixes(name: str, prefixes, paths) -> None:
  unknown = [prefix for prefix in prefixes
             if not any(path.startswith(prefix) for path in jax.tree.leaves(paths))]
  if unknown:
    raise ValueError(f"{name} prefixes match no parameter: {unknown}")


def _example_batch(source) -> dict[str, np.ndarray]:
  """One example as a batch of one, for initialisation (does not touch the iterator)."""
  example = source[0]
  return pipeline.finish_batch({k: np.asarray(v)[None] for k, v in example.items()})


def initial_state(task, source, config: ml_collections.ConfigDict,
                  mesh) -> tuple[TrainState, optax.GradientTransformation]:
  """Freshly initialised, replicated train state and the optimizer."""
  # RBG keys for initialisation only: with threefry, compiling `init` of a many-layer network
  # takes seconds on a CPU. Steps use the threefry key in the state.
  init_rng = jax.random.key(config.seed, impl="rbg")
  state_rng = jax.random.PRNGKey(config.seed)
  variables = dict(task.init(init_rng, _example_batch(source)))
  params = variables.pop("params")
  tx = make_optimizer(config.optim, config.train.steps, params)
  state = TrainState(step=jnp.zeros((), jnp.int32), params=params, model_state=variables,
                     opt_state=tx.init(params), rng=state_rng)
  return jax.device_put(state, sharding.replicated(mesh)), tx
