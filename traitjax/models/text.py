"""Sentence embeddings from a BERT encoder (e.g. all-MiniLM-L6-v2) in Flax.

A checkpoint folder in the Hugging Face layout holds ``config.json`` (``BertConfig``),
``model.safetensors`` (PyTorch ``BertModel`` tensors, optionally under a ``bert.`` prefix) and the
tokenizer files (``tokenizer.json`` or ``vocab.txt``, with ``tokenizer_config.json``).
``BertEncoder`` maps token ids to the last hidden states, ``mean_pool_normalize`` turns these into
unit-norm sentence embeddings, and ``TextEncoder`` does both for raw texts, in jit-compiled batches,
remembering the embedding of every text it has seen::

  encoder = TextEncoder("/path/to/all-MiniLM-L6-v2")
  embeddings = encoder.embed(["wings black with white bars", "the crown is blue"])  # [2, 384]

Computation is float32 whatever the dtype of the stored tensors (e.g. float16).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
from typing import Any, Callable, Mapping, Sequence

import chex
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np


class _NoTorchNote(logging.Filter):
  """Drops transformers' note, at import, that PyTorch is missing: only its tokenizers are used
  here, and they need no PyTorch."""

  def filter(self, record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("PyTorch was not found.")


logging.getLogger("transformers").addFilter(_NoTorchNote())
import transformers  # pylint: disable=g-import-not-at-top,g-bad-import-order

from traitjax.models import weights  # pylint: disable=g-import-not-at-top

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
# Either file describes a BERT tokenizer; tokenizer.json is the complete (fast) one.
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt")

_ACTIVATIONS: dict[str, Callable[[chex.Array], chex.Array]] = {
    "gelu": functools.partial(nn.gelu, approximate=False),  # the exact (erf) form
    "gelu_new": functools.partial(nn.gelu, approximate=True),
    "gelu_pytorch_tanh": functools.partial(nn.gelu, approximate=True),
    "relu": nn.relu,
}
_INT_FIELDS = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
               "intermediate_size", "max_position_embeddings", "type_vocab_size")
# Tensors of a BERT checkpoint that the encoder does not use: the position id buffer, the
# pooler (a dense layer on the first token, not part of mean-pooled embeddings) and the
# pretraining heads of BertForPreTraining / BertForMaskedLM.
_UNUSED_TENSOR = "embeddings.position_ids"
_UNUSED_PREFIXES = ("pooler.", "cls.")
_PREFIX = "bert."
_MIN_BUCKET = 8  # the shortest padded sequence length


@dataclasses.dataclass(frozen=True)
class BertConfig:
  """The architecture of a BERT encoder, with the field names of Hugging Face's config.json.

  Attributes:
    vocab_size: rows of the word embedding.
    hidden_size: width of the hidden states; a multiple of ``num_attention_heads``.
    num_hidden_layers: transformer layers.
    num_attention_heads: attention heads per layer.
    intermediate_size: width of the feed-forward layer.
    hidden_act: the feed-forward activation, a key of ``_ACTIVATIONS`` ("gelu" is the exact erf
      form).
    layer_norm_eps: epsilon of every layer norm.
    max_position_embeddings: the longest sequence (rows of the position embedding).
    type_vocab_size: rows of the token type (segment) embedding.
  """

  vocab_size: int
  hidden_size: int
  num_hidden_layers: int
  num_attention_heads: int
  intermediate_size: int
  hidden_act: str
  layer_norm_eps: float
  max_position_embeddings: int
  type_vocab_size: int

  def __post_init__(self):
    for name in _INT_FIELDS:
      value = getattr(self, name)
      if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"BERT config: {name} must be a positive integer, got {value!r}")
    if self.hidden_size % self.num_attention_heads:
      raise ValueError(f"BERT config: hidden_size {self.hidden_size} is not divisible by "
                       f"num_attention_heads {self.num_attention_heads}")
    if self.hidden_act not in _ACTIVATIONS:
      raise ValueError(f"BERT config: unsupported hidden_act {self.hidden_act!r}; supported: "
                       f"{', '.join(sorted(_ACTIVATIONS))}")
    if (isinstance(self.layer_norm_eps, bool) or not isinstance(self.layer_norm_eps, (int, float))
        or self.layer_norm_eps <= 0):
      raise ValueError(
          f"BERT config: layer_norm_eps must be a positive number, got {self.layer_norm_eps!r}")

  @property
  def head_size(self) -> int:
    return self.hidden_size // self.num_attention_heads

  @classmethod
  def from_dict(cls, values: Mapping[str, Any]) -> BertConfig:
    """The config from the entries of a config.json; other entries are ignored.

    Raises:
      ValueError naming the missing fields, or when ``model_type`` or
      ``position_embedding_type`` (where given) describe an architecture other than BERT with
      absolute positions (e.g. RoBERTa, whose positions are offset).
    """
    names = [field.name for field in dataclasses.fields(cls)]
    missing = [name for name in names if name not in values]
    if missing:
      raise ValueError(f"BERT config: missing {', '.join(missing)}")
    if values.get("model_type", "bert") != "bert":
      raise ValueError(f"BERT config: model_type {values['model_type']!r} is not 'bert'")
    if values.get("position_embedding_type", "absolute") != "absolute":
      raise ValueError(f"BERT config: unsupported position_embedding_type "
                       f"{values['position_embedding_type']!r}; supported: 'absolute'")
    return cls(**{name: values[name] for name in names})

  @classmethod
  def from_json_file(cls, path: str | os.PathLike) -> BertConfig:
    """The config in a config.json file; see ``from_dict``."""
    path = os.fspath(path)
    try:
      with open(path) as file:
        values = json.load(file)
    except json.JSONDecodeError as e:
      raise ValueError(f"cannot read BERT config {path}: {e}") from e
    if not isinstance(values, dict):
      raise ValueError(f"cannot read BERT config {path}: not a JSON object")
    try:
      return cls.from_dict(values)
    except ValueError as e:
      raise ValueError(f"{path}: {e}") from e


# ---- Model ---------------------------------------------------------------------------------


class BertEmbeddings(nn.Module):
  """Word + position + token type embeddings, then layer norm."""

  config: BertConfig

  @nn.compact
  def __call__(self, input_ids: chex.Array, token_type_ids: chex.Array) -> chex.Array:
    """int [B, L] ids and token types -> float32 [B, L, H]."""
    config = self.config
    embed = functools.partial(nn.Embed, features=config.hidden_size)
    positions = jnp.arange(input_ids.shape[1])[None, :]
    x = (embed(config.vocab_size, name="word_embeddings")(input_ids)
         + embed(config.max_position_embeddings, name="position_embeddings")(positions)
         + embed(config.type_vocab_size, name="token_type_embeddings")(token_type_ids))
    return nn.LayerNorm(config.layer_norm_eps, use_fast_variance=False, name="layer_norm")(x)


class BertSelfAttention(nn.Module):
  """Multi-head self-attention over the unmasked positions; submodules ``query``, ``key``,
  ``value`` and ``output`` (the projection back to the hidden size)."""

  config: BertConfig
  precision: jax.lax.PrecisionLike = jax.lax.Precision.HIGHEST

  @nn.compact
  def __call__(self, x: chex.Array, attention_mask: chex.Array) -> chex.Array:
    """[B, L, H] and bool [B, L] (True: attend to this position) -> [B, L, H]."""
    config = self.config
    dense = functools.partial(nn.Dense, config.hidden_size, precision=self.precision)
    split_heads = lambda y: y.reshape(*y.shape[:2], config.num_attention_heads, config.head_size)
    query = split_heads(dense(name="query")(x))
    key = split_heads(dense(name="key")(x))
    value = split_heads(dense(name="value")(x))
    scores = jnp.einsum("bqhd,bkhd->bhqk", query, key, precision=self.precision)
    scores = scores / np.sqrt(config.head_size).astype(np.float32)
    # A fully masked row (a padding row of a batch) gets uniform weights, not NaN.
    scores = jnp.where(attention_mask[:, None, None, :], scores, jnp.finfo(scores.dtype).min)
    probabilities = jax.nn.softmax(scores, axis=-1)
    context = jnp.einsum("bhqk,bkhd->bqhd", probabilities, value, precision=self.precision)
    return dense(name="output")(context.reshape(x.shape))


class BertLayer(nn.Module):
  """A post-layer-norm transformer layer: ``attention`` -> add, ``attention_layer_norm`` ->
  ``intermediate`` (dense + activation) -> ``output`` (dense) -> add, ``output_layer_norm``."""

  config: BertConfig
  precision: jax.lax.PrecisionLike = jax.lax.Precision.HIGHEST

  @nn.compact
  def __call__(self, x: chex.Array, attention_mask: chex.Array) -> chex.Array:
    """[B, L, H] and bool [B, L] -> [B, L, H]."""
    config = self.config
    layer_norm = functools.partial(nn.LayerNorm, config.layer_norm_eps, use_fast_variance=False)
    attended = BertSelfAttention(config, self.precision, name="attention")(x, attention_mask)
    x = layer_norm(name="attention_layer_norm")(x + attended)
    y = nn.Dense(config.intermediate_size, precision=self.precision, name="intermediate")(x)
    y = nn.Dense(config.hidden_size, precision=self.precision,
                 name="output")(_ACTIVATIONS[config.hidden_act](y))
    return layer_norm(name="output_layer_norm")(x + y)


class BertEncoder(nn.Module):
  """The BERT encoder without pooler: ``embeddings`` and ``layer_0`` ... ``layer_{N-1}``.

  Attributes:
    config: the architecture.
    precision: of every matrix product. The default, HIGHEST, keeps float32 products exact on
      GPUs and TPUs too, whose default passes (TF32, bfloat16) would change the embeddings by
      about 1e-3.
  """

  config: BertConfig
  precision: jax.lax.PrecisionLike = jax.lax.Precision.HIGHEST

  @nn.compact
  def __call__(self, input_ids: chex.Array, attention_mask: chex.Array | None = None,
               token_type_ids: chex.Array | None = None) -> chex.Array:
    """The last hidden states.

    Args:
      input_ids: int [B, L] token ids, L <= ``config.max_position_embeddings``.
      attention_mask: [B, L], nonzero at the tokens (zero at padding); None: all tokens.
      token_type_ids: int [B, L] segment ids; None: all 0 (a single segment).

    Returns:
      float32 [B, L, hidden_size]. Padding positions get values too (they attend to the
      tokens); ``mean_pool_normalize`` leaves them out.
    """
    chex.assert_rank(input_ids, 2)
    if input_ids.shape[1] > self.config.max_position_embeddings:
      raise ValueError(f"sequence length {input_ids.shape[1]} exceeds max_position_embeddings "
                       f"{self.config.max_position_embeddings}")
    if attention_mask is None:
      attention_mask = jnp.ones(input_ids.shape, bool)
    if token_type_ids is None:
      token_type_ids = jnp.zeros(input_ids.shape, jnp.int32)
    chex.assert_equal_shape((input_ids, attention_mask, token_type_ids))
    attention_mask = jnp.asarray(attention_mask) != 0
    x = BertEmbeddings(self.config, name="embeddings")(input_ids, token_type_ids)
    for index in range(self.config.num_hidden_layers):
      x = BertLayer(self.config, self.precision, name=f"layer_{index}")(x, attention_mask)
    return x


def mean_pool_normalize(hidden_states: chex.Array, attention_mask: chex.Array) -> chex.Array:
  """Sentence embeddings: [B, L, H] hidden states, averaged over the positions where the [B, L]
  ``attention_mask`` is nonzero, then L2-normalised -> [B, H]. A row without tokens gives 0."""
  mask = (jnp.asarray(attention_mask) != 0).astype(hidden_states.dtype)[..., None]
  summed = jnp.sum(hidden_states * mask, axis=1)
  mean = summed / jnp.maximum(jnp.sum(mask, axis=1), 1e-9)
  norm = jnp.linalg.norm(mean, axis=-1, keepdims=True)
  return mean / jnp.maximum(norm, 1e-12)


# ---- Weights -------------------------------------------------------------------------------


# Flax module path within a layer -> PyTorch module name within encoder.layer.{i}.
_LAYER_MODULES = {
    ("attention", "query"): "attention.self.query",
    ("attention", "key"): "attention.self.key",
    ("attention", "value"): "attention.self.value",
    ("attention", "output"): "attention.output.dense",
    ("attention_layer_norm",): "attention.output.LayerNorm",
    ("intermediate",): "intermediate.dense",
    ("output",): "output.dense",
    ("output_layer_norm",): "output.LayerNorm",
}


def _torch_module(module: tuple[str, ...]) -> str:
  """Flax module path -> PyTorch module name, e.g. (layer_2, attention, query) ->
  encoder.layer.2.attention.self.query."""
  if module[0] == "embeddings":
    return "embeddings." + ("LayerNorm" if module[1] == "layer_norm" else module[1])
  layer = int(module[0][len("layer_"):])
  return f"encoder.layer.{layer}.{_LAYER_MODULES[tuple(module[1:])]}"


def _ignored(name: str) -> bool:
  """Whether a tensor of a BERT checkpoint is one the encoder does not use."""
  return name == _UNUSED_TENSOR or name.startswith(_UNUSED_PREFIXES)


def _without_prefix(tensors: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
  """``tensors`` with the ``bert.`` prefix (of e.g. BertForMaskedLM checkpoints) removed."""
  renamed = {}
  for name, tensor in tensors.items():
    short = name[len(_PREFIX):] if name.startswith(_PREFIX) else name
    if short in renamed:
      raise ValueError(f"cannot load BERT weights: {short} is present both with and without "
                       f"the {_PREFIX!r} prefix")
    renamed[short] = tensor
  return renamed


def bert_params(tensors: Mapping[str, np.ndarray], config: BertConfig) -> dict:
  """The ``params`` of ``BertEncoder(config)``, float32, from PyTorch ``BertModel`` tensors.

  Linear weights (out, in) become kernels (in, out); LayerNorm weights become scales. Names may
  carry a ``bert.`` prefix. The position id buffer, the pooler (``pooler.*``) and pretraining
  heads (``cls.*``) are ignored.

  Raises:
    ValueError naming the missing, unused and misshapen tensors (``weights.convert``).
  """
  abstract = jax.eval_shape(BertEncoder(config).init, jax.random.key(0),
                            jax.ShapeDtypeStruct((1, 1), jnp.int32))
  return weights.convert(_without_prefix(tensors), abstract, _torch_module, "BERT",
                         ignored=_ignored)["params"]


def load_bert_params(path: str | os.PathLike, config: BertConfig) -> dict:
  """``bert_params`` of the tensors in the safetensors file at ``path``."""
  try:
    return bert_params(weights.load_safetensors(path), config)
  except ValueError as e:
    raise ValueError(f"{os.fspath(path)}: {e}") from e


# ---- Texts -> embeddings -------------------------------------------------------------------


def _bucket(size: int, largest: int) -> int:
  """The smallest power of two >= ``size`` (and >= _MIN_BUCKET), at most ``largest``."""
  return min(largest, max(_MIN_BUCKET, 1 << (size - 1).bit_length()))


class TextEncoder:
  """Unit-norm sentence embeddings of texts, from a checkpoint folder (see the module docstring).

  Texts are tokenised, truncated to ``max_length`` tokens, sorted by length and encoded in
  batches padded to power-of-two sizes and lengths, so that few shapes get compiled. Every
  embedding is kept by text: a text is encoded once per encoder, however often it is asked for.

  Attributes:
    config: the architecture from config.json.
    module: the ``BertEncoder``.
    params: its parameters.
    tokenizer: the ``transformers`` tokenizer of the folder.
    max_length: the longest token sequence encoded (special tokens included).
  """

  def __init__(self, folder: str | os.PathLike):
    """Loads the checkpoint in ``folder``, without network access.

    Raises:
      FileNotFoundError naming the files the folder lacks.
      ValueError for an invalid config, weights that do not fit it, or unreadable tokenizer
        files.
    """
    folder = os.fspath(folder)
    missing = [name for name in (CONFIG_FILE, WEIGHTS_FILE)
               if not os.path.isfile(os.path.join(folder, name))]
    if not any(os.path.isfile(os.path.join(folder, name)) for name in TOKENIZER_FILES):
      missing.append(" or ".join(TOKENIZER_FILES))
    if missing:
      raise FileNotFoundError(f"not a BERT checkpoint folder, {folder} lacks: "
                              f"{', '.join(missing)}")
    self.config = BertConfig.from_json_file(os.path.join(folder, CONFIG_FILE))
    self.module = BertEncoder(self.config)
    self.params = jax.device_put(
        load_bert_params(os.path.join(folder, WEIGHTS_FILE), self.config))
    try:
      self.tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
    except (OSError, ValueError) as e:
      raise ValueError(f"cannot load the tokenizer in {folder}: {e}") from e
    self.max_length = min(self.config.max_position_embeddings, self.tokenizer.model_max_length)
    self._pad_id = self.tokenizer.pad_token_id or 0
    self._cache: dict[str, np.ndarray] = {}
    self._encoder_calls = 0
    self._encode = jax.jit(self._embed_tokens)

  @property
  def hidden_size(self) -> int:
    """The width of the embeddings."""
    return self.config.hidden_size

  @property
  def cache_size(self) -> int:
    """The number of distinct texts whose embedding is kept."""
    return len(self._cache)

  @property
  def encoder_calls(self) -> int:
    """The number of batches run through the encoder so far."""
    return self._encoder_calls

  def _embed_tokens(self, params: Any, input_ids: chex.Array,
                    attention_mask: chex.Array) -> chex.Array:
    """Embeddings [B, H] of padded token ids [B, L] (the function that gets jit-compiled)."""
    hidden_states = self.module.apply({"params": params}, input_ids, attention_mask)
    return mean_pool_normalize(hidden_states, attention_mask)

  def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """float32 [len(texts), hidden_size] unit-norm embeddings, in the order of ``texts``.

    Args:
      texts: the texts; repeated texts and texts embedded before are not encoded again.
      batch_size: the most texts encoded at once.

    Raises:
      TypeError when ``texts`` is a single string or holds something other than strings.
      ValueError when ``batch_size`` is not positive.
    """
    if isinstance(texts, str):
      raise TypeError("texts must be a sequence of strings, not a single string")
    texts = list(texts)
    not_strings = [text for text in texts if not isinstance(text, str)]
    if not_strings:
      raise TypeError(f"texts must be strings, got {not_strings[0]!r}")
    if batch_size < 1:
      raise ValueError(f"batch_size must be positive, got {batch_size}")
    new_texts = [text for text in dict.fromkeys(texts) if text not in self._cache]
    if new_texts:
      token_ids = self.tokenizer(new_texts, truncation=True, max_length=self.max_length)[
          "input_ids"]
      order = sorted(range(len(new_texts)), key=lambda index: len(token_ids[index]))
      for start in range(0, len(order), batch_size):
        indices = order[start:start + batch_size]
        embeddings = self._embed_batch([token_ids[index] for index in indices], batch_size)
        for index, embedding in zip(indices, embeddings):
          self._cache[new_texts[index]] = embedding
    if not texts:
      return np.zeros((0, self.hidden_size), np.float32)
    return np.stack([self._cache[text] for text in texts])

  def _embed_batch(self, token_ids: Sequence[Sequence[int]], batch_size: int) -> np.ndarray:
    """Embeddings [len(token_ids), H] of token sequences, padded to bucket sizes and run."""
    rows = _bucket(len(token_ids), batch_size)
    length = _bucket(max(len(ids) for ids in token_ids), self.max_length)
    input_ids = np.full((rows, length), self._pad_id, np.int32)
    attention_mask = np.zeros((rows, length), np.int32)
    for row, ids in enumerate(token_ids):
      input_ids[row, :len(ids)] = ids
      attention_mask[row, :len(ids)] = 1
    self._encoder_calls += 1
    embeddings = self._encode(self.params, input_ids, attention_mask)
    return np.asarray(embeddings)[:len(token_ids)]
