"""Tests for traitjax.models.backbones: the output interface, batch norm modes, dtypes."""

import flax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from traitjax.models import backbones

IMAGE_SIZE = 64
# name -> (feature map side at 64 px, channels)
FEATURE_MAPS = {"resnet_small": (4, 128), "resnet50": (2, 2048), "efficientnet_lite0": (2, 1280)}
TOP_MODULES = {
    "resnet_small": ["stem", "stage1", "stage2", "stage3", "stage4", "classifier"],
    "resnet50": ["stem", "stage1", "stage2", "stage3", "stage4", "classifier"],
    "efficientnet_lite0": ["stem"] + [f"stage{i}" for i in range(1, 8)] + ["head", "classifier"],
}


def _images(batch_size=4, seed=0):
  rng = np.random.default_rng(seed)
  return rng.uniform(-1, 1, (batch_size, IMAGE_SIZE, IMAGE_SIZE, 3)).astype(np.float32)


def _abstract_variables(model):
  """Shapes and dtypes of model.init's variables, without computing them."""
  return jax.eval_shape(model.init, jax.random.key(0),
                        jax.ShapeDtypeStruct((1, IMAGE_SIZE, IMAGE_SIZE, 3), jnp.float32))


@pytest.fixture(scope="module")
def resnet_small():
  model = backbones.get_backbone("resnet_small", num_classes=5)
  # The "rbg" generator compiles several times faster on CPU than the default threefry.
  variables = jax.jit(model.init)(jax.random.key(0, impl="rbg"), _images(1))
  return model, variables


@pytest.fixture(scope="module")
def train_step(resnet_small):
  """(outputs, batch_stats updates, gradients of mean logits**2) of one train-mode pass."""
  model, variables = resnet_small

  def loss(params, images):
    outputs, updates = model.apply({**variables, "params": params}, images, train=True,
                                   mutable=["batch_stats"])
    return jnp.mean(outputs["logits"] ** 2), (outputs, updates)

  gradients, (outputs, updates) = jax.jit(jax.grad(loss, has_aux=True))(
      variables["params"], _images(8))
  return outputs, updates, gradients


@pytest.mark.parametrize("name", sorted(FEATURE_MAPS))
@pytest.mark.parametrize("num_classes", [None, 7])
def test_output_keys_and_shapes(name, num_classes):
  model = backbones.get_backbone(name, num_classes=num_classes)
  variables = _abstract_variables(model)
  outputs = jax.eval_shape(model.apply, variables, _images(3))
  side, channels = FEATURE_MAPS[name]
  expected = {"feature_map": (3, side, side, channels), "features": (3, channels)}
  if num_classes is not None:
    expected["logits"] = (3, num_classes)
  assert {key: value.shape for key, value in outputs.items()} == expected
  assert set(variables) == {"params", "batch_stats"}
  top = TOP_MODULES[name] if num_classes else TOP_MODULES[name][:-1]
  assert set(variables["params"]) == set(top)


@pytest.mark.parametrize("name", sorted(FEATURE_MAPS))
def test_bfloat16_computes_in_bfloat16_with_float32_params(name):
  model = backbones.get_backbone(name, num_classes=3, dtype=jnp.bfloat16)
  variables = _abstract_variables(model)
  assert {leaf.dtype for leaf in jax.tree.leaves(variables)} == {jnp.dtype(jnp.float32)}
  outputs = jax.eval_shape(model.apply, variables, _images(2))
  assert {key: value.dtype for key, value in outputs.items()} == {
      "feature_map": jnp.bfloat16, "features": jnp.bfloat16, "logits": jnp.bfloat16}


def test_init_gives_float32_params_and_unit_batch_stats(resnet_small):
  _, variables = resnet_small
  assert all(leaf.dtype == jnp.float32 for leaf in jax.tree.leaves(variables))
  stats = flax.traverse_util.flatten_dict(variables["batch_stats"])
  assert all(np.all(value == (1.0 if key[-1] == "var" else 0.0)) for key, value in stats.items())
  assert variables["params"]["stage2"]["block1"]["downsample"]["conv"]["kernel"].shape == (
      1, 1, 16, 32)
  assert "downsample" not in variables["params"]["stage1"]["block1"]


def test_train_mode_updates_batch_stats_and_eval_mode_uses_them(resnet_small, train_step):
  model, variables = resnet_small
  outputs, updates, _ = train_step
  before = jax.tree.leaves(variables["batch_stats"])
  after = jax.tree.leaves(updates["batch_stats"])
  assert len(before) == len(after)
  assert all(not np.allclose(b, a) for b, a in zip(before, after))
  # Eval mode is deterministic, changes nothing, and differs from train mode (batch statistics).
  evaluate = jax.jit(lambda v, x: model.apply(v, x, mutable=["batch_stats"]))
  eval_outputs, eval_updates = evaluate(variables, _images(8))
  jax.tree.map(np.testing.assert_array_equal, eval_updates["batch_stats"],
               variables["batch_stats"])
  np.testing.assert_array_equal(evaluate(variables, _images(8))[0]["logits"],
                                eval_outputs["logits"])
  assert not np.allclose(outputs["logits"], eval_outputs["logits"])
  np.testing.assert_allclose(outputs["features"], outputs["feature_map"].mean(axis=(1, 2)),
                             rtol=1e-5, atol=1e-6)


def test_gradients_reach_every_parameter(train_step):
  _, _, gradients = train_step
  assert all(np.all(np.isfinite(g)) and np.any(g != 0) for g in jax.tree.leaves(gradients))


@pytest.mark.parametrize("branch", ["cpu", "default"])
def test_depthwise_conv_matches_a_grouped_flax_conv_on_each_branch(branch, monkeypatch):
  # Runs the CPU branch, or the one that other platforms take, whatever the test platform is.
  monkeypatch.setattr(backbones.lax, "platform_dependent",
                      lambda *args, **branches: branches[branch](*args))
  rng = np.random.default_rng(1)
  x = rng.normal(size=(2, 9, 10, 6)).astype(np.float32)
  for kernel_size, strides, padding in [(3, 1, "SAME"), (5, 2, "SAME"), (3, 2, 1)]:
    depthwise = backbones.DepthwiseConv(kernel_size, strides, padding)
    grouped = flax.linen.Conv(
        6, (kernel_size,) * 2, strides, use_bias=False, feature_group_count=6,
        padding=padding if isinstance(padding, str) else [(padding, padding)] * 2)
    variables = {"params": {"kernel": rng.normal(size=(kernel_size, kernel_size, 1, 6))
                            .astype(np.float32)}}
    np.testing.assert_allclose(depthwise.apply(variables, x), grouped.apply(variables, x),
                               rtol=1e-5, atol=1e-5)


def test_unknown_backbone_lists_known_names():
  with pytest.raises(ValueError, match="vit_huge.*efficientnet_lite0, resnet50, resnet_small"):
    backbones.get_backbone("vit_huge")


def test_rejects_images_without_three_channels():
  model = backbones.get_backbone("resnet_small")
  with pytest.raises(AssertionError):
    jax.eval_shape(model.init, jax.random.key(0), jnp.zeros((1, 32, 32, 1)))


@pytest.mark.parametrize("name, num_stages, shape", [
    ("resnet_small", 3, (2, 4, 4, 64)),  # Stride 8 of 32 px.
    ("efficientnet_lite0", 5, (2, 2, 2, 112)),  # Stride 16, before the head.
])
def test_num_stages_builds_only_the_first_stages(name, num_stages, shape):
  model = backbones.get_backbone(name, num_stages=num_stages)
  images = jax.ShapeDtypeStruct((2, 32, 32, 3), jnp.float32)
  variables = jax.eval_shape(model.init, jax.random.key(0), images)
  assert sorted(k for k in variables["params"] if k.startswith("stage")) == [
      f"stage{i + 1}" for i in range(num_stages)]
  assert "head" not in variables["params"]
  outputs = jax.eval_shape(model.apply, variables, images)
  assert outputs["feature_map"].shape == shape
  assert outputs["features"].shape == (2, shape[-1])
  with pytest.raises(ValueError, match="num_stages"):
    jax.eval_shape(backbones.get_backbone(name, num_stages=9).init, jax.random.key(0), images)
