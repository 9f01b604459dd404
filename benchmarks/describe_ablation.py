r"""What each part of the description parser contributes, on real text about cub25's species.

  python benchmarks/describe_ablation.py
  python benchmarks/describe_ablation.py --sources=wikipedia=PATH.json,mine=FOLDER

Parses each source of descriptions (default: the Wikipedia and GPT-4 texts of
../shared/data/cub25/texts and data/descriptions/cub25.json) with parts of
``traitjax.language.fusion`` left out, and scores every table against the CUB attribute table
(present = at least 50% of a species' photos): the mean AUC over species (each species' traits
ranked, the number of ``describe --reference``) and, for the tables without the prior, the
mean AUC over traits (each trait's species ranked: what the text itself tells species apart
by; a prior that leaves each species' own row out varies against the truth across species, so
this column is given for tables without it). The reader's features are left out one at a time
from the text-only parser. Two baselines: a keyword matcher (a cell is 1 when a sentence holds the trait's part word
and its value word) and the encoder-only method of ``traitjax.language.encoder_reader`` on every
sentence. The prior's known species are the cub25 species with photos, each species' own row
left out (the sources are keyed by CUB class name, so ``tables.prior_exclusions`` with
``same_names`` places every species, and stops at one it cannot). Prints a markdown table and
one JSON line; the full parser's time per source too.
"""

import json
import pathlib
import re
import time

from absl import flags
import numpy as np

from traitjax import cli
from traitjax import paths
from traitjax.data import cub
from traitjax.data import schema
from traitjax.data import vocabulary
from traitjax.describe import tables
from traitjax.language import clauses
from traitjax.language import descriptions
from traitjax.language import encoder_reader
from traitjax.language import fusion
from traitjax.language import phrases
from traitjax.language import rule_reader
from traitjax.language import scoring
from traitjax.language.terms import general
from traitjax.models import text

import cub_flags  # pylint: disable=g-bad-import-order

_REPO = pathlib.Path(__file__).resolve().parents[1]
_TEXTS = pathlib.Path(paths.shared_path("data", "cub25", "texts"))
_SOURCES = flags.DEFINE_list(
    "sources", [f"wikipedia={_TEXTS / 'wikipedia.json'}", f"gpt4={_TEXTS / 'gpt4_gist.json'}",
                f"field guide={_REPO / 'data' / 'descriptions' / 'cub25.json'}"],
    "NAME=PATH pairs: descriptions (JSON or a folder of SPECIES.txt) keyed by CUB class name.")
_ENCODER = flags.DEFINE_string("encoder", str(tables.DEFAULT_ENCODER),
                               "Sentence-encoder checkpoint folder.")

FEATURES_LEFT_OUT = ("encoder", "name") + rule_reader.FEATURES


def keyword_table(descriptions, book) -> np.ndarray:
  """1 where one sentence holds the trait's part word and its value word, else 0."""
  values = np.zeros((len(descriptions), len(book.traits)), np.float32)
  for row, strings in enumerate(descriptions.values()):
    sentences = [set(re.findall(r"[a-z]+", s.lower()))
                 for string in strings for s in clauses.split_sentences(string)]
    for column, (trait, group) in enumerate(zip(book.traits, book.groups)):
      part = general.normalise(group).split()[1:-1]  # has_<part>_<aspect>
      value = general.normalise(trait.split(schema.GROUP_SEPARATOR, 1)[1]).split()
      value = [w for w in value if w not in part][:1] or value[:1]
      needed = set(part + value)
      values[row, column] = float(any(needed <= words for words in sentences))
  return values


def main(argv):
  del argv
  root = cub_flags.CUB_ROOT.value
  reference = cub.read_species_table(root)
  known = cub.read_species_table(root, with_images=True)
  book = phrases.phrase_book(vocabulary.read_traits(pathlib.Path(root) / "attributes.txt"))
  encoder = text.TextEncoder(_ENCODER.value)
  cache = {}

  def embed(texts):
    missing = [t for t in dict.fromkeys(texts) if t not in cache]
    if missing:
      cache.update(zip(missing, encoder.embed(missing)))
    return np.stack([cache[t] for t in texts])

  sources = dict(item.split("=", 1) for item in _SOURCES.value)
  rows = {}
  seconds = {}

  def score(name, label, table_values, species):
    restricted = scoring.restrict(reference, species)
    aligned = scoring.align(schema.TraitTable(table_values, species=tuple(species),
                                              traits=book.traits), restricted)
    rows.setdefault(label, {})[name] = {
        "species_auc": scoring.mean_auc(aligned.values, restricted.values, axis=1),
        "trait_auc": scoring.mean_auc(aligned.values, restricted.values, axis=0)}

  for name, path in sources.items():
    texts = descriptions.read_descriptions(path)
    species = list(texts)
    excluded = tables.prior_exclusions(known, species, (tables.SAME_NAMES,))
    score(name, "keyword matcher", keyword_table(texts, book), species)
    score(name, "encoder only, every sentence (the previous method)",
          encoder_reader.describe_table(texts, book, embed).values, species)
    variants = {
        "prior only": frozenset({"rules", "encoder", "name"}),
        "**full**: rules + encoder + name + prior": frozenset(),
        "text only: rules + encoder + name, no prior": frozenset({"prior"}),
    }
    variants.update({f"text only without {part}": frozenset({part, "prior"})
                     for part in FEATURES_LEFT_OUT})
    for label, without in variants.items():
      start = time.perf_counter()
      table = fusion.parse_table(texts, book, embed, known, without, excluded=excluded)
      if not without:
        cache.clear()  # The full parser's time includes embedding.
        start = time.perf_counter()
        table = fusion.parse_table(texts, book, embed, known, without, excluded=excluded)
        seconds[name] = time.perf_counter() - start
      score(name, label, table.values, species)

  names = list(sources)
  print("| parser | " + " | ".join(f"{n}: AUC over species" for n in names)
        + " | " + " | ".join(f"{n}: over traits" for n in names) + " |")
  print("|---" * (1 + 2 * len(names)) + "|")
  for label, by_source in rows.items():
    with_prior = label.startswith(("prior", "**full"))
    cells = [f"{by_source[n]['species_auc']:.3f}" for n in names]
    cells += ["-" if with_prior else f"{by_source[n]['trait_auc']:.3f}" for n in names]
    print(f"| {label} | " + " | ".join(cells) + " |")
  print("full parser seconds (embedding included): "
        + ", ".join(f"{n} {s:.1f}" for n, s in seconds.items()))
  print(json.dumps({"rows": rows, "seconds": seconds}))


if __name__ == "__main__":
  cli.run(main)
