"""Pretrained weights: safetensors files in PyTorch layouts -> Flax variables.

``convert`` is the one conversion from PyTorch tensors to Flax variables, for the backbones here
and for ``text.BertEncoder``. It walks the variables of the target model (their shapes come from
``jax.eval_shape``; nothing is computed), names the PyTorch tensor that fills each leaf, checks
its shape and changes its layout:

- conv weight OIHW -> kernel HWIO (a depthwise O1HW weight -> HW1O, as
  ``backbones.DepthwiseConv`` holds it);
- linear weight (out, in) -> kernel (in, out);
- batch norm weight, bias, running_mean, running_var -> scale, bias, mean, var;
- layer norm weight, bias -> scale, bias; embedding weight -> embedding.

Every leaf must be filled and every tensor used, except those the caller names as ignored
(PyTorch's ``num_batches_tracked`` counters, which have no Flax counterpart, for the backbones);
otherwise ValueError lists the missing, unused and misshapen tensors. Typical use, fine-tuning
with a new classifier::

  model = backbones.EfficientNetLite0(num_classes=25)
  pretrained = backbone_variables("efficientnet_lite0", path)  # no classifier
  variables = merge_pretrained(model.init(rng, images), pretrained,
                               keep_initialised=("classifier",))
"""

from __future__ import annotations

import os
from typing import Callable, Mapping, Sequence

from flax import traverse_util
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import safetensors
from safetensors import numpy as safetensors_numpy

from traitjax.models import backbones

_SHOWN = 5  # names listed per kind of error
_IGNORED_SUFFIX = ".num_batches_tracked"
# Flax leaf name -> PyTorch parameter/buffer name (Dense/Conv, BatchNorm/LayerNorm, Embed).
_TORCH_LEAF = {"kernel": "weight", "scale": "weight", "embedding": "weight", "bias": "bias",
               "mean": "running_mean", "var": "running_var"}

_EFFICIENTNET_TOP = {
    ("stem", "conv"): "_conv_stem", ("stem", "bn"): "_bn0",
    ("head", "conv"): "_conv_head", ("head", "bn"): "_bn1",
    ("classifier",): "_fc",
}
_EFFICIENTNET_BLOCK = {
    ("expand", "conv"): "_expand_conv", ("expand", "bn"): "_bn0",
    ("depthwise", "conv"): "_depthwise_conv", ("depthwise", "bn"): "_bn1",
    ("project", "conv"): "_project_conv", ("project", "bn"): "_bn2",
}


def load_safetensors(path: str | os.PathLike) -> dict[str, np.ndarray]:
  """All tensors of a safetensors file, by name, as numpy arrays."""
  path = os.fspath(path)
  if not os.path.isfile(path):
    raise FileNotFoundError(f"weights file not found: {path}")
  try:
    return safetensors_numpy.load_file(path)
  except safetensors.SafetensorError as e:
    raise ValueError(f"cannot read safetensors file {path}: {e}") from e


def convert(tensors: Mapping[str, np.ndarray], abstract_variables: Mapping,
            torch_module: Callable[[tuple[str, ...]], str], architecture: str,
            ignored: Callable[[str], bool] = lambda name: False) -> dict:
  """Every leaf of ``abstract_variables`` filled from PyTorch-layout ``tensors``.

  Args:
    tensors: arrays by PyTorch state-dict name.
    abstract_variables: {collection: tree of leaves with ``shape`` and ``dtype``}, e.g.
      ``jax.eval_shape(model.init, ...)``.
    torch_module: Flax module path within a collection -> PyTorch module name, e.g.
      (stage2, block1, conv3, bn) -> layer2.0.bn3; the leaf adds the parameter name
      (kernel, scale, embedding -> weight; bias -> bias; mean, var -> running_mean, running_var).
    architecture: what the error message says cannot be loaded.
    ignored: whether a tensor that fills no leaf may be left unused.

  Returns:
    {collection: tree} of numpy arrays with the structure and dtypes of
    ``abstract_variables``; conv kernels OIHW -> HWIO, linear kernels (out, in) -> (in, out).

  Raises:
    ValueError("cannot load {architecture} weights: missing (n): ...; unused (n): ...;
    shape mismatch (n): ...") naming the tensors (with shapes) of each non-empty kind.
  """
  flat = {}
  wanted, missing, mismatched = set(), [], []
  for path, target in traverse_util.flatten_dict(abstract_variables).items():
    _, *module, leaf = path
    name = f"{torch_module(tuple(module))}.{_TORCH_LEAF[leaf]}"
    wanted.add(name)
    expected = _torch_shape(target.shape, leaf)
    if name not in tensors:
      missing.append(f"{name} {expected}")
    elif tuple(tensors[name].shape) != expected:
      mismatched.append(f"{name} {tuple(tensors[name].shape)} (expected {expected})")
    else:
      flat[path] = np.asarray(_to_flax_layout(tensors[name], leaf), target.dtype)
  unused = sorted(name for name in set(tensors) - wanted if not ignored(name))
  _raise_if_any(f"cannot load {architecture} weights", {
      "missing": missing,
      "unused": unused,
      "shape mismatch": mismatched})
  return traverse_util.unflatten_dict(flat)


def efficientnet_lite0_variables(tensors: Mapping[str, np.ndarray],
                                 num_classes: int | None = 1000) -> dict:
  """{"params", "batch_stats"} for ``backbones.EfficientNetLite0(num_classes)``.

  Args:
    tensors: the EfficientNet-PyTorch layout (``_conv_stem``, ``_bn0``, ``_blocks.{i}.*``,
      ``_conv_head``, ``_bn1``, ``_fc``), float arrays.
    num_classes: the size of ``_fc``; None builds no classifier and ignores ``_fc.*``.
  """
  return _backbone_variables(tensors, backbones.EfficientNetLite0(num_classes=num_classes),
                             "EfficientNet-Lite0", _efficientnet_torch_module, classifier="_fc")


def resnet50_variables(tensors: Mapping[str, np.ndarray],
                       num_classes: int | None = 1000) -> dict:
  """{"params", "batch_stats"} for ``backbones.ResNet50(num_classes)``.

  Args:
    tensors: the torchvision/timm layout (``conv1``, ``bn1``, ``layer{1-4}.{j}.conv{1,2,3}``,
      ``bn{1,2,3}``, ``downsample.0`` (conv), ``downsample.1`` (BN), ``fc``), float arrays.
    num_classes: the size of ``fc``; None builds no classifier and ignores ``fc.*``.
  """
  return _backbone_variables(tensors, backbones.ResNet50(num_classes=num_classes), "ResNet-50",
                             _resnet_torch_module, classifier="fc")


CONVERTERS = {
    "efficientnet_lite0": efficientnet_lite0_variables,
    "resnet50": resnet50_variables,
}


def backbone_variables(name: str, path: str | os.PathLike,
                       num_classes: int | None = None) -> dict:
  """{"params", "batch_stats"} for ``backbones.get_backbone(name, num_classes=num_classes)``
  from the safetensors file at ``path``; with ``num_classes`` None its classifier is ignored.

  Raises ValueError listing the backbones with a converter when ``name`` has none.
  """
  if name not in CONVERTERS:
    raise ValueError(f"no pretrained weights for backbone {name!r}; "
                     f"available for: {', '.join(sorted(CONVERTERS))}")
  return CONVERTERS[name](load_safetensors(path), num_classes=num_classes)


def with_pretrained_backbone(variables: dict, backbone_name: str,
                             path: str | os.PathLike) -> dict:
  """``variables`` of a model (from its ``init``, the backbone under ``"backbone"`` in each
  collection) with the backbone's replaced by ``backbone_variables(backbone_name, path)``
  (``merge_pretrained``). Pretrained modules the backbone does not build (the stages after its
  ``num_stages``, a truncated network's head) are left out; within the built ones every leaf
  must match."""
  initialised = {collection: tree["backbone"] for collection, tree in variables.items()}
  built = {key[:2] for key in traverse_util.flatten_dict(initialised)}  # (collection, module)
  loaded = traverse_util.flatten_dict(backbone_variables(backbone_name, path))
  merged = merge_pretrained(initialised, traverse_util.unflatten_dict(
      {key: value for key, value in loaded.items() if key[:2] in built}))
  return {collection: {**tree, "backbone": merged[collection]}
          for collection, tree in variables.items()}


def merge_pretrained(initialised: Mapping, pretrained: Mapping,
                     keep_initialised: Sequence[str] = ()) -> dict:
  """``initialised`` variables with every leaf replaced by its ``pretrained`` value.

  Args:
    initialised: variables from ``model.init`` ({"params": ..., "batch_stats": ...}).
    pretrained: variables of the same structure, e.g. from a converter above.
    keep_initialised: module paths within a collection (``"classifier"``,
      ``"stage7/block1"``) whose initialised values are kept and whose pretrained values, if
      any, are ignored.

  Returns:
    The merged variables, as jax arrays with the dtypes of ``initialised``.

  Raises:
    ValueError listing the leaves of ``initialised`` that ``pretrained`` lacks (outside
    ``keep_initialised``), the leaves of ``pretrained`` that ``initialised`` lacks, shape
    mismatches, and entries of ``keep_initialised`` that match nothing.
  """
  initialised_flat = traverse_util.flatten_dict(initialised)
  pretrained_flat = traverse_util.flatten_dict(pretrained)

  def kept(key: tuple[str, ...]) -> bool:
    return any(_is_under("/".join(key[1:]), prefix) for prefix in keep_initialised)

  unmatched = [prefix for prefix in keep_initialised
               if not any(_is_under("/".join(key[1:]), prefix) for key in initialised_flat)]
  missing = [key for key in initialised_flat if key not in pretrained_flat and not kept(key)]
  unused = [key for key in pretrained_flat if key not in initialised_flat and not kept(key)]
  mismatched = [
      f"{'/'.join(key)} {np.shape(value)} (expected {np.shape(initialised_flat[key])})"
      for key, value in pretrained_flat.items()
      if key in initialised_flat and not kept(key)
      and np.shape(value) != np.shape(initialised_flat[key])]
  _raise_if_any("cannot merge pretrained variables", {
      "missing": ["/".join(key) for key in missing],
      "unused": ["/".join(key) for key in unused],
      "shape mismatch": mismatched,
      "keep_initialised matches nothing": unmatched})
  merged = {
      key: value if kept(key) else jnp.asarray(pretrained_flat[key], value.dtype)
      for key, value in initialised_flat.items()}
  return traverse_util.unflatten_dict(merged)


def _is_under(path: str, prefix: str) -> bool:
  """Whether the '/'-joined ``path`` is the module ``prefix`` or inside it."""
  return path == prefix or path.startswith(prefix + "/")


def _efficientnet_torch_module(module: tuple[str, ...]) -> str:
  """Flax module path -> PyTorch module name, e.g. (stage3, block2, depthwise, bn) ->
  _blocks.4._bn1 (blocks are numbered across stages)."""
  if module[0].startswith("stage"):
    stage, block = int(module[0][len("stage"):]), int(module[1][len("block"):])
    index = sum(repeats for repeats, *_ in backbones.EFFICIENTNET_LITE0_STAGES[:stage - 1])
    return f"_blocks.{index + block - 1}.{_EFFICIENTNET_BLOCK[module[2:]]}"
  return _EFFICIENTNET_TOP[module]


def _resnet_torch_module(module: tuple[str, ...]) -> str:
  """Flax module path -> PyTorch module name, e.g. (stage2, block1, conv3, bn) -> layer2.0.bn3,
  (stage2, block1, downsample, conv) -> layer2.0.downsample.0."""
  if module == ("classifier",):
    return "fc"
  if module[0] == "stem":
    return {"conv": "conv1", "bn": "bn1"}[module[1]]
  layer = f"layer{module[0][len('stage'):]}.{int(module[1][len('block'):]) - 1}"
  part, kind = module[2:]
  if part == "downsample":
    return f"{layer}.downsample.{0 if kind == 'conv' else 1}"
  return f"{layer}.{part if kind == 'conv' else 'bn' + part[len('conv'):]}"


def _torch_shape(flax_shape: tuple[int, ...], leaf: str) -> tuple[int, ...]:
  """The PyTorch shape of a tensor that fills a Flax leaf of ``flax_shape``."""
  if leaf == "kernel" and len(flax_shape) == 4:
    height, width, in_features, out_features = flax_shape
    return out_features, in_features, height, width
  if leaf == "kernel":
    return tuple(reversed(flax_shape))
  return tuple(flax_shape)


def _to_flax_layout(tensor: np.ndarray, leaf: str) -> np.ndarray:
  """OIHW -> HWIO for a conv kernel, (out, in) -> (in, out) for a linear one."""
  if leaf == "kernel":
    return tensor.transpose(2, 3, 1, 0) if tensor.ndim == 4 else tensor.T
  return tensor


def _backbone_variables(tensors: Mapping[str, np.ndarray], model: nn.Module, architecture: str,
                        torch_module: Callable[[tuple[str, ...]], str], classifier: str) -> dict:
  """``convert`` for a backbone, ignoring batch norm counters and, when ``model`` builds no
  classifier, the tensors of the PyTorch module ``classifier``."""
  abstract = jax.eval_shape(model.init, jax.random.key(0),
                            jax.ShapeDtypeStruct((1, 32, 32, 3), jnp.float32))
  skipped = {f"{classifier}.weight", f"{classifier}.bias"} if model.num_classes is None else set()
  return convert(tensors, abstract, torch_module, architecture,
                 ignored=lambda name: name in skipped or name.endswith(_IGNORED_SUFFIX))


def _raise_if_any(message: str, problems: Mapping[str, Sequence[str]]) -> None:
  """ValueError(message: kind (count): first names; ...) when any list is non-empty."""
  parts = []
  for kind, names in problems.items():
    if names:
      shown = ", ".join(names[:_SHOWN]) + (", ..." if len(names) > _SHOWN else "")
      parts.append(f"{kind} ({len(names)}): {shown}")
  if parts:
    raise ValueError(f"{message}: " + "; ".join(parts))
