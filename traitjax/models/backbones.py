"""Image backbones: ResNet (basic and bottleneck blocks) and EfficientNet-Lite0.

Every backbone takes float images [B, H, W, 3] in [-1, 1] (the batch contract of
``traitjax.data.schema``) and returns a dict:

- ``feature_map``: [B, h, w, C], the last stage's output (h, w = H, W / the total stride);
  with ``num_stages`` set, the output of stage ``num_stages`` (the later stages, and
  EfficientNet's ``head``, are not built): e.g. a stride-16 map of 14 x 14 at 224 px from
  EfficientNet-Lite0's stage 5, for part discovery (``models/slots.py``);
- ``features``: [B, C], its global average;
- ``logits``: [B, num_classes], only when the module's ``num_classes`` is not None.

All outputs have the module's compute ``dtype`` (e.g. jnp.bfloat16); parameters stay float32.
Batch norm uses batch statistics and updates the ``batch_stats`` collection when
``train=True`` (apply with ``mutable=["batch_stats"]``) and the running averages otherwise.

Submodules are named so that parts can be addressed by path (e.g. to freeze them): ``stem``,
``stage1`` ... ``stageN`` (each holding ``block1`` ... ``blockM``), ``head`` (EfficientNet's 1x1
conv) and ``classifier``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import chex
import flax.linen as nn
from jax import lax
import jax.numpy as jnp

Dtype = Any
ModuleDef = Any

# ImageNet statistics of [0, 1] images, which torchvision/timm ResNet weights expect.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

_conv_init = nn.initializers.he_normal()


def _check_images(images: chex.Array) -> None:
  chex.assert_rank(images, 4)
  chex.assert_axis_dimension(images, 3, 3)


def _built_stages(stages: tuple, num_stages: int | None) -> tuple:
  """The first ``num_stages`` of ``stages`` (all of them for None)."""
  if num_stages is None:
    return stages
  if not 1 <= num_stages <= len(stages):
    raise ValueError(f"num_stages must lie in 1..{len(stages)}, got {num_stages}")
  return stages[:num_stages]


def pooled(feature_map: chex.Array) -> dict:
  """{feature_map, features}: what a backbone gives from its last feature map [B, h, w, C] (a
  feature cache's map is read as the backbone's)."""
  return {"feature_map": feature_map, "features": jnp.mean(feature_map, axis=(1, 2))}


def _outputs(feature_map: chex.Array, num_classes: int | None, dtype: Dtype) -> dict:
  """The backbone output dict from the last feature map [B, h, w, C]."""
  outputs = pooled(feature_map)
  if num_classes is not None:
    outputs["logits"] = nn.Dense(num_classes, dtype=dtype, name="classifier")(
        outputs["features"])
  return outputs


def _explicit_padding(padding: str | int, spatial: tuple[int, int], kernel_size: int,
                      strides: int) -> list[tuple[int, int]]:
  """(low, high) padding of H and W for 'SAME' (TensorFlow style) or a symmetric int."""
  if isinstance(padding, str):
    return lax.padtype_to_pads(spatial, (kernel_size,) * 2, (strides,) * 2, padding)
  return [(padding, padding)] * 2


class DepthwiseConv(nn.Module):
  """Per-channel k x k conv without bias; ``kernel`` float32 [k, k, 1, C] as in
  ``nn.Conv(C, feature_group_count=C)``.

  On CPU it runs as a sum of k * k shifted products, which XLA:CPU runs several times faster
  than a grouped convolution; on other platforms as a grouped convolution.
  """

  kernel_size: int
  strides: int = 1
  padding: str | int = "SAME"
  dtype: Dtype = jnp.float32

  @nn.compact
  def __call__(self, x: chex.Array) -> chex.Array:
    """[B, H, W, C] -> [B, H / strides, W / strides, C]."""
    size, strides, channels = self.kernel_size, self.strides, x.shape[-1]
    kernel = self.param("kernel", _conv_init, (size, size, 1, channels), jnp.float32)
    x, kernel = jnp.asarray(x, self.dtype), jnp.asarray(kernel, self.dtype)
    pads = _explicit_padding(self.padding, x.shape[1:3], size, strides)

    def grouped(x, kernel):
      return lax.conv_general_dilated(x, kernel, (strides,) * 2, pads, feature_group_count=channels,
                                      dimension_numbers=("NHWC", "HWIO", "NHWC"))

    def shifted(x, kernel):
      padded = jnp.pad(x, [(0, 0), *pads, (0, 0)])
      out_height = (padded.shape[1] - size) // strides + 1
      out_width = (padded.shape[2] - size) // strides + 1
      return sum(
          padded[:, i:i + strides * (out_height - 1) + 1:strides,
                 j:j + strides * (out_width - 1) + 1:strides] * kernel[i, j, 0]
          for i in range(size) for j in range(size))

    return lax.platform_dependent(x, kernel, cpu=shifted, default=grouped)


class ConvBN(nn.Module):
  """Conv (no bias) -> batch norm -> optional activation; submodules ``conv`` and ``bn``.

  Attributes:
    features: output channels (for a depthwise conv: the input channels).
    kernel_size: square kernel side.
    strides: stride in both spatial dimensions.
    padding: 'SAME' (TensorFlow style: extra padding at the bottom/right for even sizes) or the
      symmetric padding per side (PyTorch style).
    depthwise: a per-channel conv (``DepthwiseConv``) instead of a dense one.
    activation: applied after batch norm; None for a linear output.
    bn_epsilon, bn_momentum: batch norm settings (running average decay = momentum).
  """

  features: int
  kernel_size: int
  strides: int = 1
  padding: str | int = "SAME"
  depthwise: bool = False
  activation: Callable[[chex.Array], chex.Array] | None = None
  bn_epsilon: float = 1e-5
  bn_momentum: float = 0.9
  dtype: Dtype = jnp.float32

  @nn.compact
  def __call__(self, x: chex.Array, train: bool = False) -> chex.Array:
    """[B, H, W, C_in] -> [B, H / strides, W / strides, features]."""
    if self.depthwise:
      chex.assert_axis_dimension(x, 3, self.features)
      x = DepthwiseConv(self.kernel_size, self.strides, self.padding, dtype=self.dtype,
                        name="conv")(x)
    else:
      padding = _explicit_padding(self.padding, x.shape[1:3], self.kernel_size, self.strides)
      x = nn.Conv(self.features, (self.kernel_size,) * 2, strides=self.strides, padding=padding,
                  use_bias=False, kernel_init=_conv_init, dtype=self.dtype, name="conv")(x)
    x = nn.BatchNorm(use_running_average=not train, momentum=self.bn_momentum,
                     epsilon=self.bn_epsilon, dtype=self.dtype, name="bn")(x)
    return x if self.activation is None else self.activation(x)


class Stage(nn.Module):
  """``num_blocks`` blocks ``block1`` ... in sequence; the first has ``strides``, the rest 1.

  Attributes:
    block: a block constructor taking ``strides``, ``dtype`` and ``name``, whose modules are
      called as ``block(x, train)``.
  """

  block: ModuleDef
  num_blocks: int
  strides: int
  dtype: Dtype = jnp.float32

  @nn.compact
  def __call__(self, x: chex.Array, train: bool = False) -> chex.Array:
    """[B, H, W, C_in] -> [B, H / strides, W / strides, C_out]."""
    for index in range(self.num_blocks):
      x = self.block(strides=self.strides if index == 0 else 1, dtype=self.dtype,
                     name=f"block{index + 1}")(x, train)
    return x


# ---- ResNet --------------------------------------------------------------------------------


class BasicBlock(nn.Module):
  """Two 3x3 convs (``conv1``, ``conv2``) and a shortcut; output channels = ``features``.

  The shortcut is a 1x1 conv + BN (``downsample``) when the stride or the width changes.
  """

  features: int
  strides: int = 1
  dtype: Dtype = jnp.float32

  @nn.compact
  def __call__(self, x: chex.Array, train: bool = False) -> chex.Array:
    """[B, H, W, C_in] -> [B, H / strides, W / strides, features]."""
    conv = functools.partial(ConvBN, dtype=self.dtype)
    y = conv(self.features, 3, self.strides, padding=1, activation=nn.relu, name="conv1")(x, train)
    y = conv(self.features, 3, padding=1, name="conv2")(y, train)
    if self.strides != 1 or x.shape[-1] != self.features:
      x = conv(self.features, 1, self.strides, padding=0, name="downsample")(x, train)
    return nn.relu(x + y)


class BottleneckBlock(nn.Module):
  """1x1 -> 3x3 (strided, ResNet v1.5) -> 1x1 convs (``conv1``-``conv3``) and a shortcut.

  Output channels = 4 * ``features``. The shortcut is a strided 1x1 conv + BN (``downsample``)
  when the stride or the width changes.
  """

  features: int
  strides: int = 1
  dtype: Dtype = jnp.float32

  expansion = 4

  @nn.compact
  def __call__(self, x: chex.Array, train: bool = False) -> chex.Array:
    """[B, H, W, C_in] -> [B, H / strides, W / strides, 4 * features]."""
    conv = functools.partial(ConvBN, dtype=self.dtype)
    out_features = self.features * self.expansion
    y = conv(self.features, 1, padding=0, activation=nn.relu, name="conv1")(x, train)
    y = conv(self.features, 3, self.strides, padding=1, activation=nn.relu, name="conv2")(y, train)
    y = conv(out_features, 1, padding=0, name="conv3")(y, train)
    if self.strides != 1 or x.shape[-1] != out_features:
      x = conv(out_features, 1, self.strides, padding=0, name="downsample")(x, train)
    return nn.relu(x + y)


class ResNet(nn.Module):
  """ResNet in the torchvision/timm layout (PyTorch-style symmetric padding).

  Images in [-1, 1] are mapped to the ImageNet mean/std standardisation that torchvision and timm
  weights expect. Stem: conv ``stem_kernel_size`` / ``stem_strides`` + BN + ReLU, then a 3x3/2
  max pool when ``stem_max_pool``. Stage i has ``stage_sizes[i]`` blocks of width ``widths[i]``;
  stage 1 keeps the resolution, the others halve it.

  Attributes:
    stage_sizes: blocks per stage.
    block: BasicBlock or BottleneckBlock.
    widths: per-stage block width (a BottleneckBlock outputs 4x that).
    num_classes: size of the linear ``classifier`` on the pooled features; None for none.
    num_stages: build only the first stages (None: all); the last one built gives the
      feature map.
    dtype: compute dtype; parameters are float32.
  """

  stage_sizes: tuple[int, ...]
  block: ModuleDef
  widths: tuple[int, ...] = (64, 128, 256, 512)
  stem_features: int = 64
  stem_kernel_size: int = 7
  stem_strides: int = 2
  stem_max_pool: bool = True
  num_classes: int | None = None
  num_stages: int | None = None
  dtype: Dtype = jnp.float32

  @nn.compact
  def __call__(self, images: chex.Array, train: bool = False) -> dict:
    """images float [B, H, W, 3] in [-1, 1] -> {feature_map, features[, logits]}."""
    _check_images(images)
    mean = jnp.asarray(IMAGENET_MEAN, jnp.float32)
    std = jnp.asarray(IMAGENET_STD, jnp.float32)
    x = jnp.asarray(((images + 1.0) / 2.0 - mean) / std, self.dtype)
    x = ConvBN(self.stem_features, self.stem_kernel_size, self.stem_strides,
               padding=self.stem_kernel_size // 2, activation=nn.relu, dtype=self.dtype,
               name="stem")(x, train)
    if self.stem_max_pool:
      x = nn.max_pool(x, (3, 3), strides=(2, 2), padding=((1, 1), (1, 1)))
    stages = _built_stages(tuple(zip(self.stage_sizes, self.widths)), self.num_stages)
    for index, (num_blocks, width) in enumerate(stages):
      x = Stage(functools.partial(self.block, width), num_blocks, strides=1 if index == 0 else 2,
                dtype=self.dtype, name=f"stage{index + 1}")(x, train)
    return _outputs(x, self.num_classes, self.dtype)


ResNet50 = functools.partial(ResNet, stage_sizes=(3, 4, 6, 3), block=BottleneckBlock)
# For 64 px images on a CPU: a 3x3/2 stem, no max pool, one basic block per stage; total stride 16.
ResNetSmall = functools.partial(
    ResNet, stage_sizes=(1, 1, 1, 1), block=BasicBlock, widths=(16, 32, 64, 128),
    stem_features=16, stem_kernel_size=3, stem_strides=2, stem_max_pool=False)


# ---- EfficientNet-Lite0 --------------------------------------------------------------------

# Per stage: (repeats, kernel size, stride of the first block, expansion, output channels).
EFFICIENTNET_LITE0_STAGES = (
    (1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320))
EFFICIENTNET_LITE0_STEM = 32
EFFICIENTNET_LITE0_HEAD = 1280

_efficientnet_conv = functools.partial(
    ConvBN, padding="SAME", bn_epsilon=1e-3, bn_momentum=0.99)


class MBConv(nn.Module):
  """Inverted residual without squeeze-excitation: ``expand`` 1x1 (absent when ``expansion``
  is 1) -> ``depthwise`` kxk (strided) -> ``project`` 1x1 (linear); ReLU6; a residual when the
  stride is 1 and the channels are unchanged."""

  features: int
  kernel_size: int
  expansion: int
  strides: int = 1
  dtype: Dtype = jnp.float32

  @nn.compact
  def __call__(self, x: chex.Array, train: bool = False) -> chex.Array:
    """[B, H, W, C_in] -> [B, H / strides, W / strides, features]."""
    conv = functools.partial(_efficientnet_conv, dtype=self.dtype)
    hidden = x.shape[-1] * self.expansion
    y = x
    if self.expansion != 1:
      y = conv(hidden, 1, activation=nn.relu6, name="expand")(y, train)
    y = conv(hidden, self.kernel_size, self.strides, depthwise=True, activation=nn.relu6,
             name="depthwise")(y, train)
    y = conv(self.features, 1, name="project")(y, train)
    if self.strides == 1 and x.shape[-1] == self.features:
      y = y + x
    return y


class EfficientNetLite0(nn.Module):
  """EfficientNet-Lite0: stem 3x3/2 -> 32, seven MBConv stages, ``head`` 1x1 -> 1280.

  TensorFlow 'SAME' padding, batch norm eps 1e-3, ReLU6, total stride 32. The ImageNet weights
  (``weights.efficientnet_lite0_variables``) take images in [-1, 1] as they are.

  Attributes:
    num_classes: size of the linear ``classifier`` on the pooled features; None for none.
    num_stages: build only the first MBConv stages and no ``head`` (None: all seven and the
      head); the last stage built gives the feature map.
    dtype: compute dtype; parameters are float32.
  """

  num_classes: int | None = None
  num_stages: int | None = None
  dtype: Dtype = jnp.float32

  @nn.compact
  def __call__(self, images: chex.Array, train: bool = False) -> dict:
    """images float [B, H, W, 3] in [-1, 1] -> {feature_map, features[, logits]}."""
    _check_images(images)
    conv = functools.partial(_efficientnet_conv, dtype=self.dtype)
    x = jnp.asarray(images, self.dtype)
    x = conv(EFFICIENTNET_LITE0_STEM, 3, 2, activation=nn.relu6, name="stem")(x, train)
    stages = _built_stages(EFFICIENTNET_LITE0_STAGES, self.num_stages)
    for index, (repeats, kernel, strides, expansion, features) in enumerate(stages):
      block = functools.partial(MBConv, features, kernel, expansion)
      x = Stage(block, repeats, strides, dtype=self.dtype, name=f"stage{index + 1}")(x, train)
    if len(stages) == len(EFFICIENTNET_LITE0_STAGES):
      x = conv(EFFICIENTNET_LITE0_HEAD, 1, activation=nn.relu6, name="head")(x, train)
    return _outputs(x, self.num_classes, self.dtype)


BACKBONES = {
    "resnet_small": ResNetSmall,
    "resnet50": ResNet50,
    "efficientnet_lite0": EfficientNetLite0,
}


def get_backbone(name: str, **kwargs) -> nn.Module:
  """The backbone called ``name`` (a key of BACKBONES), built with ``kwargs`` (e.g.
  ``num_classes``, ``dtype``)."""
  if name not in BACKBONES:
    raise ValueError(f"unknown backbone {name!r}; known: {', '.join(sorted(BACKBONES))}")
  return BACKBONES[name](**kwargs)
