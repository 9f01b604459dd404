"""Tests for traitjax.models.cbm: where each mode's losses reach, and frozen batch norm."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from traitjax.models import cbm

NUM_TRAITS, NUM_SPECIES = 6, 4


class TinyBackbone(nn.Module):
  """A dense layer and batch norm over flattened pixels: the backbone output interface."""

  @nn.compact
  def __call__(self, images, train=False):
    x = nn.Dense(8, name="dense")(images.reshape(images.shape[0], -1))
    x = nn.BatchNorm(use_running_average=not train, momentum=0.5, name="bn")(x)
    return {"features": nn.relu(x)}


def _model(mode, frozen_batch_norm=False):
  return cbm.ConceptBottleneck(TinyBackbone(), NUM_TRAITS, NUM_SPECIES, mode=mode,
                                      frozen_batch_norm=frozen_batch_norm)


def _inputs():
  rng = np.random.default_rng(0)
  images = rng.uniform(-1, 1, (5, 4, 4, 3)).astype(np.float32)
  traits = rng.integers(0, 2, (5, NUM_TRAITS)).astype(np.float32)
  traits[0, 0] = np.nan
  return images, traits


def _gradient_norms(mode, output):
  """Norm of d(sum of `output` logits)/d(parameters) per top module, in training mode."""
  model = _model(mode)
  images, traits = _inputs()
  variables = model.init(jax.random.key(0), images, true_traits=traits)

  def objective(params):
    outputs, _ = model.apply({**variables, "params": params}, images, train=True,
                             true_traits=traits, mutable=["batch_stats"])
    return jnp.sum(jnp.sin(outputs[output]))

  gradients = jax.grad(objective)(variables["params"])
  return {name: float(jnp.sqrt(sum(jnp.sum(g ** 2) for g in jax.tree.leaves(tree))))
          for name, tree in gradients.items()}


@pytest.mark.parametrize("mode, reaches, stops", [
    ("joint", ["backbone", "trait_head", "species_head"], []),
    ("sequential", ["species_head"], ["backbone", "trait_head"]),
    ("independent", ["species_head"], ["backbone", "trait_head"]),
    ("blackbox", ["backbone", "species_head"], ["trait_head"]),
])
def test_species_loss_reaches_only_what_the_mode_says(mode, reaches, stops):
  norms = _gradient_norms(mode, "species_logits")
  for name in reaches:
    assert norms[name] > 1e-4, (name, norms)
  for name in stops:
    assert norms[name] == 0.0, (name, norms)


@pytest.mark.parametrize("mode, backbone_trained", [
    ("joint", True), ("sequential", True), ("independent", True), ("blackbox", False)])
def test_trait_loss_shapes_the_backbone_except_in_the_black_box(mode, backbone_trained):
  norms = _gradient_norms(mode, "trait_logits")
  assert norms["trait_head"] > 1e-4
  assert norms["species_head"] == 0.0
  assert (norms["backbone"] > 1e-4) == backbone_trained, norms


def test_independent_mode_trains_its_species_head_on_the_true_traits():
  model = _model("independent")
  images, traits = _inputs()
  variables = model.init(jax.random.key(0), images, true_traits=traits)
  species_head = variables["params"]["species_head"]
  expected = np.where(np.isnan(traits), 0.5, traits) @ species_head["kernel"] + species_head["bias"]
  trained, _ = model.apply(variables, images, train=True, true_traits=traits,
                           mutable=["batch_stats"])
  np.testing.assert_allclose(trained["species_logits"], expected, rtol=1e-5, atol=1e-6)
  inferred = model.apply(variables, images)
  predicted = jax.nn.sigmoid(inferred["trait_logits"])
  np.testing.assert_allclose(
      inferred["species_logits"], predicted @ species_head["kernel"] + species_head["bias"],
      rtol=1e-5, atol=1e-6)
  with pytest.raises(ValueError, match="true traits"):
    model.apply(variables, images, train=True, mutable=["batch_stats"])


def test_frozen_batch_norm_uses_and_keeps_the_running_statistics():
  images, traits = _inputs()
  frozen, unfrozen = _model("joint", frozen_batch_norm=True), _model("joint")
  variables = frozen.init(jax.random.key(0), images, true_traits=traits)
  evaluated = frozen.apply(variables, images)
  trained, updates = frozen.apply(variables, images, train=True, true_traits=traits,
                                  mutable=["batch_stats"])
  np.testing.assert_allclose(trained["species_logits"], evaluated["species_logits"], rtol=1e-6)
  jax.tree.map(np.testing.assert_array_equal, updates["batch_stats"],
               variables["batch_stats"])
  moving, moved = unfrozen.apply(variables, images, train=True, true_traits=traits,
                                 mutable=["batch_stats"])
  assert not np.allclose(moving["species_logits"], evaluated["species_logits"])
  assert not np.allclose(moved["batch_stats"]["backbone"]["bn"]["mean"],
                         variables["batch_stats"]["backbone"]["bn"]["mean"])


def test_unknown_mode_is_refused_with_the_known_ones():
  images, traits = _inputs()
  with pytest.raises(ValueError, match="joint"):
    _model("concept").init(jax.random.key(0), images, true_traits=traits)


@pytest.mark.parametrize("head", cbm.TABLE_HEADS)
def test_table_heads_read_species_rows_passed_at_call_time(head):
  """Their parameters are per trait; a table with an extra row adds a species and leaves the
  other logits as they were; the species loss reaches the backbone in joint mode."""
  model = cbm.ConceptBottleneck(TinyBackbone(), NUM_TRAITS, NUM_SPECIES, mode="joint",
                                       species_head=head)
  images, traits = _inputs()
  table = np.random.default_rng(3).uniform(size=(NUM_SPECIES, NUM_TRAITS)).astype(np.float32)
  variables = model.init(jax.random.key(0), images, species_table=table)
  assert all(np.size(leaf) <= NUM_TRAITS
             for leaf in jax.tree.leaves(variables["params"]["species_head"]))
  outputs = model.apply(variables, images, species_table=table)
  wider = model.apply(variables, images, species_table=np.concatenate([table, table[:1]]))
  assert wider["species_logits"].shape == (5, NUM_SPECIES + 1)
  np.testing.assert_array_equal(wider["species_logits"][:, :NUM_SPECIES],
                                outputs["species_logits"])
  np.testing.assert_array_equal(wider["species_logits"][:, -1], outputs["species_logits"][:, 0])

  def species_objective(params):
    out, _ = model.apply({**variables, "params": params}, images, train=True,
                         species_table=table, mutable=["batch_stats"])
    return jnp.sum(jnp.sin(out["species_logits"]))

  gradients = jax.grad(species_objective)(variables["params"])
  for name in ("backbone", "trait_head", "species_head"):
    assert max(float(jnp.abs(g).max()) for g in jax.tree.leaves(gradients[name])) > 1e-4, name


def test_table_head_needs_a_table_and_trait_probabilities():
  images, traits = _inputs()
  for mode, table in (("joint", None), ("blackbox", np.zeros((NUM_SPECIES, NUM_TRAITS)))):
    model = cbm.ConceptBottleneck(TinyBackbone(), NUM_TRAITS, NUM_SPECIES, mode=mode,
                                         species_head="table")
    with pytest.raises(ValueError, match="species table"):
      model.init(jax.random.key(0), images, true_traits=traits, species_table=table)


def test_the_phrases_trait_head_scores_any_phrase_and_a_new_one_changes_no_other_logit():
  """Trait logits are the shared scale x the cosine of the projected features with each
  phrase embedding, plus the shared bias; a trait added as one more embedding row is scored
  with no new parameter."""
  model = cbm.ConceptBottleneck(TinyBackbone(), NUM_TRAITS, NUM_SPECIES,
                                       trait_head="phrases")
  images, _ = _inputs()
  rng = np.random.default_rng(4)
  phrases = rng.normal(size=(NUM_TRAITS, 16)).astype(np.float32)
  phrases /= np.linalg.norm(phrases, axis=1, keepdims=True)
  variables = model.init(jax.random.key(0), images, trait_embeddings=phrases)
  outputs = model.apply(variables, images, trait_embeddings=phrases)
  head = variables["params"]["trait_head"]
  projected = outputs["features"] @ head["projection"]["kernel"] + head["projection"]["bias"]
  projected /= np.linalg.norm(projected, axis=1, keepdims=True)
  np.testing.assert_allclose(outputs["trait_logits"],
                             np.exp(head["log_scale"]) * projected @ phrases.T + head["bias"],
                             rtol=1e-4, atol=1e-5)
  new_phrase = rng.normal(size=(1, 16)).astype(np.float32)
  widened = cbm.PhraseSimilarityHead().apply(
      {"params": head}, outputs["features"], np.concatenate([phrases, new_phrase]))
  np.testing.assert_allclose(widened[:, :NUM_TRAITS], outputs["trait_logits"], rtol=1e-5)
  with pytest.raises(ValueError, match="trait_embeddings"):
    model.init(jax.random.key(0), images)


class TinyConvBackbone(nn.Module):
  """A strided 3x3 conv: a feature map [B, h, w, 8] and its spatial mean as the features."""

  @nn.compact
  def __call__(self, images, train=False):
    del train
    feature_map = nn.relu(nn.Conv(8, (3, 3), strides=2, name="conv")(images))
    return {"feature_map": feature_map, "features": feature_map.mean(axis=(1, 2))}


@pytest.mark.parametrize("mode", ["joint", "blackbox"])
def test_linear_trait_maps_average_exactly_to_the_trait_logits(mode):
  """The features are the spatial mean of the feature map and the linear head is affine, so the
  spatial mean of the maps is the trait logits; the maps change nothing else."""
  model = cbm.ConceptBottleneck(TinyConvBackbone(), NUM_TRAITS, NUM_SPECIES, mode=mode)
  images = np.random.default_rng(1).uniform(-1, 1, (3, 8, 8, 3)).astype(np.float32)
  variables = model.init(jax.random.key(0), images)
  plain = model.apply(variables, images)
  mapped = model.apply(variables, images, with_maps=True)
  assert "trait_maps" not in plain
  assert mapped["trait_maps"].shape == (3, 4, 4, NUM_TRAITS)
  np.testing.assert_allclose(mapped["trait_maps"].mean(axis=(1, 2)), plain["trait_logits"],
                             rtol=1e-5, atol=1e-5)
  assert np.ptp(np.asarray(mapped["trait_maps"]), axis=(1, 2)).min() > 0  # Not flat.
  for key, value in plain.items():
    np.testing.assert_array_equal(mapped[key], value)


def test_phrase_trait_maps_are_the_similarity_at_each_location():
  """A cosine per location: on a 1x1 feature map the map is the logit itself; on a larger map
  each location's map is the head applied to that location's features."""
  phrases_unit = np.random.default_rng(2).normal(size=(NUM_TRAITS, 5)).astype(np.float32)
  phrases_unit /= np.linalg.norm(phrases_unit, axis=1, keepdims=True)
  model = cbm.ConceptBottleneck(TinyConvBackbone(), NUM_TRAITS, NUM_SPECIES,
                                trait_head="phrases")
  images = np.random.default_rng(1).uniform(-1, 1, (2, 8, 8, 3)).astype(np.float32)
  variables = model.init(jax.random.key(0), images, trait_embeddings=phrases_unit)
  maps = model.apply(variables, images, trait_embeddings=phrases_unit,
                     with_maps=True)["trait_maps"]
  head = cbm.PhraseSimilarityHead()
  feature_map = TinyConvBackbone().apply({"params": variables["params"]["backbone"]}, images)[
      "feature_map"]
  expected = head.apply({"params": variables["params"]["trait_head"]}, feature_map[:, 1, 2],
                        phrases_unit)
  np.testing.assert_allclose(maps[:, 1, 2], expected, rtol=1e-5, atol=1e-5)
  single = model.apply(variables, images[:, :2, :2], trait_embeddings=phrases_unit,
                       with_maps=True)
  np.testing.assert_allclose(single["trait_maps"][:, 0, 0], single["trait_logits"], rtol=1e-5,
                             atol=1e-5)


def _head_and_params(head):
  """A joint model with `head`, its parameters (the cosine centre moved off the mean row) and
  a table."""
  model = cbm.ConceptBottleneck(TinyBackbone(), NUM_TRAITS, NUM_SPECIES, mode="joint",
                                species_head=head)
  images, _ = _inputs()
  table = np.random.default_rng(3).uniform(size=(NUM_SPECIES, NUM_TRAITS)).astype(np.float32)
  params = model.init(jax.random.key(0), images, species_table=table)["params"]
  if head == "cosine":
    params["species_head"]["centre"] = jnp.linspace(0.2, 0.7, NUM_TRAITS)
  return model, params, table


@pytest.mark.parametrize("head", ["cosine", "table", "linear"])
def test_organ_aware_inference_reads_an_unshown_trait_as_no_evidence(head):
  """With `shown`, a trait a photo cannot show changes nothing, whatever its probability, and
  reads as the head's no-evidence value: NaN for the cosine (the cosine over the shown traits,
  rows included) and for the likelihood (no term at all), 0.5 for the dense layer."""
  model, params, table = _head_and_params(head)
  rng = np.random.default_rng(1)
  probabilities = rng.uniform(size=(5, NUM_TRAITS)).astype(np.float32)
  shown = rng.random((5, NUM_TRAITS)) < 0.5
  shown[:, 0] = True
  other = np.where(shown, probabilities, rng.uniform(size=probabilities.shape)).astype(np.float32)
  gated = cbm.species_logits_from_traits(model, params, probabilities, table, shown=shown)
  np.testing.assert_array_equal(
      gated, cbm.species_logits_from_traits(model, params, other, table, shown=shown))
  assert not np.allclose(
      cbm.species_logits_from_traits(model, params, probabilities, table),
      cbm.species_logits_from_traits(model, params, other, table))  # Ungated they count.
  blank = cbm.no_evidence(model, params, NUM_TRAITS)
  by_hand = np.where(shown, probabilities, blank)
  np.testing.assert_allclose(
      gated, cbm.species_logits_from_traits(model, params, by_hand, table), rtol=1e-6)
  if head == "cosine":  # The cosine over the shown traits alone, in photo and rows alike.
    assert np.isnan(blank).all()
    centre = np.asarray(params["species_head"]["centre"])
    scale = np.exp(float(params["species_head"]["log_scale"]))
    for i in range(len(shown)):
      detections = (probabilities[i] - centre)[shown[i]]
      rows = (table - centre)[:, shown[i]]
      expected = scale * (rows @ detections) / (
          np.linalg.norm(detections) * np.linalg.norm(rows, axis=1))
      np.testing.assert_allclose(gated[i], expected, rtol=1e-5)
  elif head == "table":
    assert np.isnan(blank).all()
    fires = np.clip(table * 0.9 + (1 - table) * 0.1, 1e-4, 1 - 1e-4)  # Initial reliabilities.
    p = np.where(shown, probabilities, 0)
    q = np.where(shown, 1 - probabilities, 0)
    np.testing.assert_allclose(gated, p @ np.log(fires).T + q @ np.log1p(-fires).T, rtol=1e-5)
  else:
    np.testing.assert_array_equal(blank, 0.5)
  # A photo that shows every trait is read as without `shown`.
  np.testing.assert_allclose(
      cbm.species_logits_from_traits(model, params, probabilities, table,
                                     shown=np.ones_like(shown)),
      cbm.species_logits_from_traits(model, params, probabilities, table), rtol=1e-6)
