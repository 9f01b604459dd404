"""Tests for traitjax.models.weights: name maps, layouts and checks; numeric references in
../shared/weights and real photos in ../shared/data (skipped when they are absent)."""


import flax
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from safetensors import numpy as safetensors_numpy

from traitjax.data import images
from tests import conftest
from traitjax.data import schema
from traitjax.models import backbones
from traitjax.models import weights

SHARED = conftest.SHARED
EFFICIENTNET_WEIGHTS = SHARED / "weights" / "efficientnet_lite0_imagenet.safetensors"
EFFICIENTNET_REFERENCE = SHARED / "weights" / "efficientnet_lite0_reference.npz"
CUB = conftest.CUB25 / "CUB_200_2011"
IMAGENET_BIRD_CLASSES = np.r_[7:25, 80:101, 127:147]
PHOTOS_PER_SPECIES = 5


def _timm_resnet50_shapes(num_classes=1000):
  """Tensor name -> shape of a timm/torchvision ResNet-50 state dict (PyTorch layout)."""
  shapes = {"conv1.weight": (64, 3, 7, 7)}

  def batch_norm(prefix, channels):
    for suffix in ("weight", "bias", "running_mean", "running_var"):
      shapes[f"{prefix}.{suffix}"] = (channels,)

  batch_norm("bn1", 64)
  in_channels = 64
  for layer, (blocks, width) in enumerate(zip((3, 4, 6, 3), (64, 128, 256, 512)), start=1):
    for block in range(blocks):
      prefix = f"layer{layer}.{block}"
      shapes[f"{prefix}.conv1.weight"] = (width, in_channels, 1, 1)
      shapes[f"{prefix}.conv2.weight"] = (width, width, 3, 3)
      shapes[f"{prefix}.conv3.weight"] = (4 * width, width, 1, 1)
      for index, channels in enumerate((width, width, 4 * width), start=1):
        batch_norm(f"{prefix}.bn{index}", channels)
      if block == 0:
        shapes[f"{prefix}.downsample.0.weight"] = (4 * width, in_channels, 1, 1)
        batch_norm(f"{prefix}.downsample.1", 4 * width)
      in_channels = 4 * width
  shapes["fc.weight"] = (num_classes, 2048)
  shapes["fc.bias"] = (num_classes,)
  return shapes


@pytest.fixture(scope="module")
def resnet50_file(tmp_path_factory):
  """A timm-layout ResNet-50 safetensors file of random tensors: weights scaled by
  1 / sqrt(fan in), 1-d tensors (batch norm, biases) in [0.5, 1.5]."""
  rng = np.random.default_rng(0)
  tensors = {}
  for name, shape in _timm_resnet50_shapes().items():
    if len(shape) == 1:
      tensors[name] = rng.uniform(0.5, 1.5, shape).astype(np.float32)
    else:
      scale = np.float32(1 / np.sqrt(np.prod(shape[1:])))
      tensors[name] = rng.standard_normal(shape, dtype=np.float32) * scale
  path = tmp_path_factory.mktemp("weights") / "resnet50.safetensors"
  safetensors_numpy.save_file(tensors, str(path))
  return path, tensors


@pytest.fixture(scope="module")
def efficientnet_tensors():
  if not EFFICIENTNET_WEIGHTS.is_file():
    pytest.skip(f"weights not found at {EFFICIENTNET_WEIGHTS}")
  return weights.load_safetensors(EFFICIENTNET_WEIGHTS)


def test_load_safetensors_names_a_missing_or_broken_file(tmp_path):
  with pytest.raises(FileNotFoundError, match="nowhere.safetensors"):
    weights.load_safetensors(tmp_path / "nowhere.safetensors")
  broken = tmp_path / "broken.safetensors"
  broken.write_bytes(b"not a safetensors file")
  with pytest.raises(ValueError, match="broken.safetensors"):
    weights.load_safetensors(broken)


def test_resnet50_loads_every_tensor_in_flax_layout(resnet50_file):
  path, tensors = resnet50_file
  variables = weights.resnet50_variables(weights.load_safetensors(path))
  params, stats = variables["params"], variables["batch_stats"]
  conv = lambda name: tensors[name].transpose(2, 3, 1, 0)
  np.testing.assert_array_equal(params["stem"]["conv"]["kernel"], conv("conv1.weight"))
  np.testing.assert_array_equal(params["stem"]["bn"]["scale"], tensors["bn1.weight"])
  np.testing.assert_array_equal(params["stage3"]["block1"]["downsample"]["conv"]["kernel"],
                                conv("layer3.0.downsample.0.weight"))
  np.testing.assert_array_equal(stats["stage1"]["block1"]["downsample"]["bn"]["mean"],
                                tensors["layer1.0.downsample.1.running_mean"])
  np.testing.assert_array_equal(stats["stage4"]["block3"]["conv2"]["bn"]["var"],
                                tensors["layer4.2.bn2.running_var"])
  np.testing.assert_array_equal(params["stage2"]["block4"]["conv3"]["bn"]["bias"],
                                tensors["layer2.3.bn3.bias"])
  np.testing.assert_array_equal(params["stage2"]["block2"]["conv2"]["conv"]["kernel"],
                                conv("layer2.1.conv2.weight"))
  np.testing.assert_array_equal(params["classifier"]["kernel"], tensors["fc.weight"].T)
  np.testing.assert_array_equal(params["classifier"]["bias"], tensors["fc.bias"])
  leaves = jax.tree.leaves(variables)
  assert len(leaves) == len(tensors)
  assert sum(leaf.size for leaf in leaves) == sum(t.size for t in tensors.values())

  model = backbones.ResNet50(num_classes=1000)
  outputs = jax.jit(model.apply)(variables, np.zeros((1, 32, 32, 3), np.float32))
  assert outputs["logits"].shape == (1, 1000)
  assert np.all(np.isfinite(outputs["logits"]))


def test_resnet50_ignores_counters_and_skips_the_classifier_only_when_told(resnet50_file):
  _, tensors = resnet50_file
  counters = {"bn1.num_batches_tracked": np.array(7, np.int64)}
  variables = weights.resnet50_variables({**tensors, **counters}, num_classes=None)
  assert "classifier" not in variables["params"]
  without_fc = {name: t for name, t in tensors.items() if not name.startswith("fc.")}
  weights.resnet50_variables(without_fc, num_classes=None)
  with pytest.raises(ValueError, match=r"missing \(2\): fc.bias \(1000,\), fc.weight \(1000, "):
    weights.resnet50_variables(without_fc)


def test_backbone_variables_by_name(resnet50_file):
  path, tensors = resnet50_file
  variables = weights.backbone_variables("resnet50", path)
  assert "classifier" not in variables["params"]
  np.testing.assert_array_equal(variables["batch_stats"]["stem"]["bn"]["var"],
                                tensors["bn1.running_var"])
  with pytest.raises(ValueError, match="'resnet_small'.*efficientnet_lite0, resnet50"):
    weights.backbone_variables("resnet_small", path)


@pytest.mark.parametrize("change, message", [
    ({"layer3.2.bn1.running_var": None}, r"missing \(1\): layer3.2.bn1.running_var \(256,\)"),
    ({"layer5.0.conv1.weight": np.zeros((1,), np.float32)}, r"unused \(1\): layer5.0.conv1.weight"),
    ({"layer2.1.conv2.weight": np.zeros((128, 128, 1, 1), np.float32)},
     r"shape mismatch \(1\): layer2.1.conv2.weight \(128, 128, 1, 1\) "
     r"\(expected \(128, 128, 3, 3\)\)"),
])
def test_resnet50_file_with_a_bad_tensor_is_refused_naming_it(resnet50_file, tmp_path, change,
                                                              message):
  _, tensors = resnet50_file
  changed = {**tensors, **change}
  path = tmp_path / "bad.safetensors"
  safetensors_numpy.save_file({k: v for k, v in changed.items() if v is not None}, str(path))
  with pytest.raises(ValueError, match=message):
    weights.resnet50_variables(weights.load_safetensors(path))


def test_efficientnet_lite0_matches_the_reference_logits(efficientnet_tensors):
  if not EFFICIENTNET_REFERENCE.is_file():
    pytest.skip(f"reference not found at {EFFICIENTNET_REFERENCE}")
  reference = np.load(EFFICIENTNET_REFERENCE)
  variables = weights.efficientnet_lite0_variables(efficientnet_tensors)
  model = backbones.EfficientNetLite0(num_classes=1000)
  logits = jax.jit(model.apply)(variables, reference["inputs_nhwc"])["logits"]
  error = np.abs(np.asarray(logits) - reference["logits"]).max()
  assert error < 1e-3, f"max abs error {error:.2e}"


@pytest.mark.slow
def test_efficientnet_lite0_predicts_birds_on_cub_photos(efficientnet_tensors):
  if not (CUB / "images.txt").is_file():
    pytest.skip(f"CUB data not found at {CUB}")
  listed = (CUB / "images.txt").read_text().split()[1::2]
  by_species = {}
  for name in listed:
    by_species.setdefault(name.split("/")[0], []).append(name)
  sample = [name for names in by_species.values() for name in names[:PHOTOS_PER_SPECIES]]
  assert len(by_species) == 25
  photos = schema.image_to_float(
      np.stack([images.decode_image(CUB / "images" / name, 224) for name in sample]))
  model = backbones.EfficientNetLite0(num_classes=1000)
  variables = weights.efficientnet_lite0_variables(efficientnet_tensors)
  forward = jax.jit(lambda v, x: model.apply(v, x)["logits"].argmax(-1))
  batch_size = 25
  predictions = np.concatenate([np.asarray(forward(variables, photos[i:i + batch_size]))
                                for i in range(0, len(photos), batch_size)])
  fraction = np.isin(predictions, IMAGENET_BIRD_CLASSES).mean()
  assert fraction >= 0.9, f"{fraction:.3f} of {len(sample)} photos predicted as birds"


def test_efficientnet_lite0_backbone_gets_pretrained_weights_and_a_new_classifier(
    efficientnet_tensors):
  pretrained = weights.efficientnet_lite0_variables(efficientnet_tensors, num_classes=None)
  model = backbones.EfficientNetLite0(num_classes=25)
  initialised = jax.tree.map(
      lambda leaf: jnp.full(leaf.shape, 0.5, leaf.dtype),
      jax.eval_shape(model.init, jax.random.key(0), jnp.zeros((1, 32, 32, 3))))
  merged = weights.merge_pretrained(initialised, pretrained, keep_initialised=("classifier",))
  assert np.all(merged["params"]["classifier"]["kernel"] == 0.5)
  assert merged["params"]["classifier"]["kernel"].shape == (1280, 25)
  np.testing.assert_array_equal(
      merged["params"]["stage6"]["block2"]["depthwise"]["conv"]["kernel"],
      efficientnet_tensors["_blocks.12._depthwise_conv.weight"].transpose(2, 3, 1, 0))
  np.testing.assert_array_equal(merged["batch_stats"]["head"]["bn"]["var"],
                                efficientnet_tensors["_bn1.running_var"])
  with pytest.raises(ValueError, match=r"missing \(2\): params/classifier/bias"):
    weights.merge_pretrained(initialised, pretrained)


def test_merge_pretrained_refuses_unused_misshapen_and_unmatched():
  zeros = lambda *shape: np.zeros(shape, np.float32)
  ones = lambda *shape: np.ones(shape, np.float32)
  initialised = {"params": {"stem": {"kernel": zeros(3, 3, 3, 8)},
                            "classifier": {"kernel": zeros(8, 2)}}}
  unused = {"params": {"stem": {"kernel": ones(3, 3, 3, 8)}, "extra": {"bias": ones(2)}}}
  with pytest.raises(ValueError, match=r"unused \(1\): params/extra/bias"):
    weights.merge_pretrained(initialised, unused, keep_initialised=("classifier",))
  misshapen = {"params": {"stem": {"kernel": ones(3, 3, 3, 4)}}}
  with pytest.raises(ValueError, match=r"shape mismatch \(1\): params/stem/kernel \(3, 3, 3, 4\)"):
    weights.merge_pretrained(initialised, misshapen, keep_initialised=("classifier",))
  with pytest.raises(ValueError, match=r"keep_initialised matches nothing \(1\): classi$"):
    weights.merge_pretrained(initialised, unused, keep_initialised=("classifier", "classi"))
  pretrained = {"params": {"stem": {"kernel": ones(3, 3, 3, 8)},
                           "classifier": {"kernel": ones(1000, 2)}}}
  merged = weights.merge_pretrained(initialised, pretrained, keep_initialised=("classifier",))
  assert flax.traverse_util.flatten_dict(jax.tree.map(np.mean, merged)) == {
      ("params", "stem", "kernel"): 1.0, ("params", "classifier", "kernel"): 0.0}


def test_convert_fills_any_model_and_names_what_does_not_fit():
  class Small(flax.linen.Module):
    @flax.linen.compact
    def __call__(self, ids):
      x = flax.linen.Embed(10, 4, name="embed")(ids)
      return flax.linen.Dense(3, name="dense")(flax.linen.LayerNorm(name="norm")(x))

  abstract = jax.eval_shape(Small().init, jax.random.key(0),
                            jax.ShapeDtypeStruct((1, 2), jnp.int32))
  rng = np.random.default_rng(0)
  tensors = {"emb.weight": rng.standard_normal((10, 4)), "fc.weight": rng.standard_normal((3, 4)),
             "fc.bias": np.zeros(3), "ln.weight": np.ones(4), "ln.bias": np.zeros(4),
             "head.weight": np.ones(1)}
  torch_module = {("embed",): "emb", ("dense",): "fc", ("norm",): "ln"}.__getitem__
  variables = weights.convert(tensors, abstract, torch_module, "Small",
                              ignored=lambda name: name.startswith("head."))
  assert variables["params"]["dense"]["kernel"].dtype == np.float32
  np.testing.assert_array_equal(variables["params"]["dense"]["kernel"],
                                tensors["fc.weight"].T.astype(np.float32))
  np.testing.assert_array_equal(variables["params"]["embed"]["embedding"],
                                tensors["emb.weight"].astype(np.float32))
  with pytest.raises(ValueError, match=r"cannot load Small weights: missing \(1\): ln.bias \(4,\); "
                                       r"unused \(1\): head.weight; shape mismatch \(1\): "
                                       r"fc.weight \(4, 3\) \(expected \(3, 4\)\)$"):
    weights.convert({**{k: v for k, v in tensors.items() if k != "ln.bias"},
                     "fc.weight": np.ones((4, 3))}, abstract, torch_module, "Small")
