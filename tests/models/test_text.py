"""Tests for traitjax.models.text: config checks, weight loading, padding, caching on a small
random checkpoint; the all-MiniLM-L6-v2 numeric reference in ../shared/weights (skipped when it
is absent)."""

import json
import shutil

import jax
import numpy as np
import pytest
from safetensors import numpy as safetensors_numpy

from tests import conftest
from traitjax.models import text

MINILM = conftest.MINILM
MINILM_REFERENCE = conftest.SHARED / "weights" / "all_minilm_l6_v2_reference.npz"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                   "vocab.txt")
SMALL_CONFIG = {
    "model_type": "bert", "vocab_size": 30522, "hidden_size": 32, "num_hidden_layers": 2,
    "num_attention_heads": 4, "intermediate_size": 64, "hidden_act": "gelu",
    "layer_norm_eps": 1e-12, "max_position_embeddings": 64, "type_vocab_size": 2,
}


def _bert_model_shapes(config):
  """Tensor name -> shape of a Hugging Face BertModel state dict (PyTorch layout)."""
  hidden, intermediate = config["hidden_size"], config["intermediate_size"]
  shapes = {
      "embeddings.word_embeddings.weight": (config["vocab_size"], hidden),
      "embeddings.position_embeddings.weight": (config["max_position_embeddings"], hidden),
      "embeddings.token_type_embeddings.weight": (config["type_vocab_size"], hidden),
      "embeddings.LayerNorm.weight": (hidden,), "embeddings.LayerNorm.bias": (hidden,),
      "pooler.dense.weight": (hidden, hidden), "pooler.dense.bias": (hidden,),
  }
  for layer in range(config["num_hidden_layers"]):
    prefix = f"encoder.layer.{layer}"
    linears = {"attention.self.query": (hidden, hidden), "attention.self.key": (hidden, hidden),
               "attention.self.value": (hidden, hidden),
               "attention.output.dense": (hidden, hidden),
               "intermediate.dense": (intermediate, hidden),
               "output.dense": (hidden, intermediate)}
    for name, shape in linears.items():
      shapes[f"{prefix}.{name}.weight"] = shape
      shapes[f"{prefix}.{name}.bias"] = shape[:1]
    for name in ("attention.output.LayerNorm", "output.LayerNorm"):
      shapes[f"{prefix}.{name}.weight"] = (hidden,)
      shapes[f"{prefix}.{name}.bias"] = (hidden,)
  return shapes


def _random_bert_tensors(config, seed=0):
  """Random BertModel tensors: embeddings N(0, 1), linear weights scaled by 1 / sqrt(fan in),
  layer norm weights in [0.5, 1.5], biases N(0, 0.1)."""
  rng = np.random.default_rng(seed)
  tensors = {}
  for name, shape in _bert_model_shapes(config).items():
    if "embeddings." in name and "LayerNorm" not in name:
      tensor = rng.standard_normal(shape)
    elif "LayerNorm.weight" in name:
      tensor = rng.uniform(0.5, 1.5, shape)
    elif name.endswith(".bias"):
      tensor = 0.1 * rng.standard_normal(shape)
    else:
      tensor = rng.standard_normal(shape) / np.sqrt(shape[1])
    tensors[name] = tensor.astype(np.float32)
  tensors["embeddings.position_ids"] = np.arange(config["max_position_embeddings"])[None]
  return tensors


@pytest.fixture(scope="module")
def reference():
  if not MINILM_REFERENCE.is_file():
    pytest.skip(f"reference not found at {MINILM_REFERENCE}")
  return dict(np.load(MINILM_REFERENCE))


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory):
  """A random 2-layer BERT checkpoint (tensors under a ``bert.`` prefix, float32) with the
  MiniLM tokenizer."""
  if not MINILM.is_dir():
    pytest.skip(f"tokenizer files not found at {MINILM}")
  folder = tmp_path_factory.mktemp("small_bert")
  (folder / "config.json").write_text(json.dumps(SMALL_CONFIG))
  tensors = {f"bert.{name}": t for name, t in _random_bert_tensors(SMALL_CONFIG).items()}
  safetensors_numpy.save_file(tensors, str(folder / "model.safetensors"))
  for name in TOKENIZER_FILES:
    shutil.copy(MINILM / name, folder / name)
  return folder


def test_minilm_matches_the_reference_hidden_states_and_embeddings(minilm, reference):
  mask = reference["attention_mask"]
  hidden = np.asarray(jax.jit(minilm.module.apply)({"params": minilm.params},
                                                   reference["input_ids"], mask))
  expected = reference["last_hidden_state"]
  assert hidden.shape == expected.shape == (8, 11, 384)
  tokens = mask.astype(bool)
  token_error = np.abs(hidden[tokens] - expected[tokens]).max()
  assert token_error < 1e-4, f"max abs error at tokens {token_error:.2e}"
  # The reference also holds the states at padding positions (which attend to the tokens).
  padding_error = np.abs(hidden[~tokens] - expected[~tokens]).max()
  assert padding_error < 1e-4, f"max abs error at padding {padding_error:.2e}"
  embeddings = np.asarray(text.mean_pool_normalize(hidden, mask))
  np.testing.assert_allclose(embeddings, reference["sentence_embeddings"], rtol=0, atol=1e-4)


def test_minilm_embeds_the_reference_sentences_through_its_tokenizer(minilm, reference):
  sentences = [str(sentence) for sentence in reference["sentences"]]
  tokens = minilm.tokenizer(sentences, padding=True, return_tensors="np")
  np.testing.assert_array_equal(tokens["input_ids"], reference["input_ids"])
  embeddings = minilm.embed(sentences)
  assert embeddings.dtype == np.float32
  np.testing.assert_allclose(embeddings, reference["sentence_embeddings"], rtol=0, atol=1e-4)


def test_small_checkpoint_gives_unit_norm_embeddings(small_folder):
  encoder = text.TextEncoder(small_folder)
  assert encoder.max_length == SMALL_CONFIG["max_position_embeddings"]
  hidden = encoder.module.apply({"params": encoder.params}, np.ones((3, 5), np.int32))
  assert hidden.shape == (3, 5, 32) and hidden.dtype == np.float32
  embeddings = encoder.embed(["bill short and conical", "tail forked", "eye ring white"])
  assert embeddings.shape == (3, 32) and embeddings.dtype == np.float32
  np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1, atol=1e-6)
  assert encoder.embed([]).shape == (0, 32)


def test_bert_tensors_fill_every_parameter_in_flax_layout():
  tensors = _random_bert_tensors(SMALL_CONFIG)
  params = text.bert_params(tensors, text.BertConfig.from_dict(SMALL_CONFIG))
  np.testing.assert_array_equal(params["layer_1"]["attention"]["query"]["kernel"],
                                tensors["encoder.layer.1.attention.self.query.weight"].T)
  np.testing.assert_array_equal(params["layer_0"]["output"]["kernel"],
                                tensors["encoder.layer.0.output.dense.weight"].T)
  np.testing.assert_array_equal(params["layer_0"]["attention_layer_norm"]["scale"],
                                tensors["encoder.layer.0.attention.output.LayerNorm.weight"])
  np.testing.assert_array_equal(params["embeddings"]["position_embeddings"]["embedding"],
                                tensors["embeddings.position_embeddings.weight"])
  ignored = ("embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias")
  used = [t for name, t in tensors.items() if name not in ignored]
  assert len(jax.tree.leaves(params)) == len(used)
  assert sum(leaf.size for leaf in jax.tree.leaves(params)) == sum(t.size for t in used)


def test_embedding_does_not_depend_on_the_padding(small_folder):
  short = "crown red"
  long = " ".join(["a long description of the wing pattern"] * 6)
  alone = text.TextEncoder(small_folder).embed([short])
  with_long = text.TextEncoder(small_folder).embed([long, short])
  np.testing.assert_allclose(with_long[1], alone[0], rtol=0, atol=1e-5)


def test_token_order_changes_the_embedding(small_folder):
  encoder = text.TextEncoder(small_folder)
  forward, backward = encoder.embed(["red crown and black wings", "black crown and red wings"])
  assert np.abs(forward - backward).max() > 1e-2


def test_long_texts_are_truncated_to_the_longest_position(small_folder):
  encoder = text.TextEncoder(small_folder)
  longer, long = encoder.embed(["wing " * 200, "wing " * 100])
  np.testing.assert_array_equal(longer, long)  # both [CLS] + 62 tokens + [SEP]


@pytest.mark.parametrize("change, message", [
    ({"encoder.layer.1.output.dense.weight": None},
     r"missing \(1\): encoder.layer.1.output.dense.weight \(32, 64\)"),
    ({"encoder.layer.0.attention.self.key.weight": np.zeros((32, 16), np.float32)},
     r"shape mismatch \(1\): encoder.layer.0.attention.self.key.weight \(32, 16\) "
     r"\(expected \(32, 32\)\)"),
    ({"encoder.layer.2.output.dense.bias": np.zeros(32, np.float32)},
     r"unused \(1\): encoder.layer.2.output.dense.bias"),
    ({"bert.embeddings.LayerNorm.bias": np.zeros(32, np.float32)},
     r"embeddings.LayerNorm.bias is present both with and without the 'bert.' prefix"),
])
def test_a_bad_tensor_is_refused_naming_it(small_folder, tmp_path, change, message):
  changed = {**_random_bert_tensors(SMALL_CONFIG), **change}
  (tmp_path / "config.json").write_text(json.dumps(SMALL_CONFIG))
  safetensors_numpy.save_file({name: t for name, t in changed.items() if t is not None},
                              str(tmp_path / "model.safetensors"))
  for name in TOKENIZER_FILES:
    shutil.copy(small_folder / name, tmp_path / name)
  with pytest.raises(ValueError, match=message):
    text.TextEncoder(tmp_path)


@pytest.mark.parametrize("change, message", [
    ({"num_attention_heads": None}, "missing num_attention_heads"),
    ({"num_attention_heads": 5}, "hidden_size 32 is not divisible by num_attention_heads 5"),
    ({"hidden_act": "swish"}, "unsupported hidden_act 'swish'; supported: gelu, "),
    ({"num_hidden_layers": 0}, "num_hidden_layers must be a positive integer, got 0"),
    ({"layer_norm_eps": -1.0}, "layer_norm_eps must be a positive number"),
    ({"model_type": "roberta"}, "model_type 'roberta' is not 'bert'"),
    ({"position_embedding_type": "relative_key"}, "unsupported position_embedding_type"),
])
def test_an_invalid_config_is_refused(change, message):
  values = {name: value for name, value in {**SMALL_CONFIG, **change}.items()
            if value is not None}
  with pytest.raises(ValueError, match=message):
    text.BertConfig.from_dict(values)


@pytest.mark.parametrize("removed, message", [
    ("config.json", "lacks: config.json"),
    ("model.safetensors", "lacks: model.safetensors"),
    (("tokenizer.json", "vocab.txt"), "lacks: tokenizer.json or vocab.txt"),
])
def test_an_incomplete_folder_is_refused_naming_what_it_lacks(small_folder, tmp_path, removed,
                                                              message):
  folder = tmp_path / "checkpoint"
  shutil.copytree(small_folder, folder)
  for name in (removed,) if isinstance(removed, str) else removed:
    (folder / name).unlink()
  with pytest.raises(FileNotFoundError, match=message):
    text.TextEncoder(folder)


def test_texts_are_encoded_once(small_folder):
  encoder = text.TextEncoder(small_folder)
  texts = ["wings black", "throat white", "wings black", "bill long and curved"]
  first = encoder.embed(texts, batch_size=2)
  assert encoder.cache_size == 3
  assert encoder.encoder_calls == 2  # three distinct texts in batches of two
  np.testing.assert_array_equal(first[0], first[2])
  again = encoder.embed(list(reversed(texts)), batch_size=2)
  assert encoder.encoder_calls == 2
  np.testing.assert_array_equal(again, first[::-1])
  encoder.embed(["throat white", "belly buff"])
  assert (encoder.cache_size, encoder.encoder_calls) == (4, 3)


def test_embed_refuses_a_single_string(small_folder):
  encoder = text.TextEncoder(small_folder)
  with pytest.raises(TypeError, match="not a single string"):
    encoder.embed("wings black")
  with pytest.raises(TypeError, match="must be strings, got 3"):
    encoder.embed(["wings black", 3])
