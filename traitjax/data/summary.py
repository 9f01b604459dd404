"""What a dataset holds, in numbers and figures, before training on it (`python -m
traitjax.preview` writes them): a grid of photos with keypoints, species, degradation and
traits; examples per split, the species-frequency histogram of the training split and trait
prevalence in the table (and in photos, where known).
"""

from __future__ import annotations

import json
import os
import textwrap

from absl import logging
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
import ml_collections
import numpy as np
import tqdm

from traitjax.data import schema
from traitjax.data import sources

_PART_COLOURS = plt.get_cmap("tab20").colors


def caption(example: dict[str, np.ndarray], table: schema.TraitTable, width: int = 36) -> str:
  """Species, degradation and the traits worth showing, wrapped to `width` characters."""
  species = int(example[schema.SPECIES])
  lines = [table.species[species] if species >= 0 else "species unknown"]
  degradation = int(example[schema.DEGRADATION])
  if degradation > 0:
    lines.append(f"{schema.DEGRADATIONS[degradation]} "
                 f"{float(example[schema.DEGRADATION_STRENGTH]):.1f}")
  if not bool(example[schema.VALID]):
    lines.append("UNREADABLE FILE")
  visible = example[schema.TRAITS_VISIBLE]
  if np.isfinite(visible).any():
    shown = [table.traits[t].split(schema.GROUP_SEPARATOR)[-1]
             for t in np.flatnonzero(visible == 1)]
    hidden = sorted({table.groups[t] for t in np.flatnonzero(np.isnan(visible))})
    text = ", ".join(shown) + (f"; hidden: {', '.join(hidden)}" if hidden else "")
  else:
    row = example[schema.TRAITS]
    top = [t for t in np.argsort(-np.nan_to_num(row, nan=-1.0))[:4] if row[t] > 0]
    text = ", ".join(f"{_short(table.traits[t])} {row[t]:.0%}" for t in top)
  lines += textwrap.wrap(text, width)
  return "\n".join(lines)


def _short(trait: str) -> str:
  return trait.removeprefix("has_").replace(schema.GROUP_SEPARATOR, "=")


def example_grid(examples: list[dict[str, np.ndarray]], table: schema.TraitTable,
                 part_names, columns: int = 6) -> plt.Figure:
  rows = -(-len(examples) // columns)
  figure, axes = plt.subplots(rows, columns, figsize=(2.4 * columns, 3.3 * rows), squeeze=False)
  for ax in axes.flat:
    ax.axis("off")
  for ax, example in zip(axes.flat, examples):
    image = example[schema.IMAGE]
    size = image.shape[0]
    ax.imshow(image, interpolation="nearest")
    for p, (x, y, seen) in enumerate(example[schema.PARTS]):
      if seen > 0:
        ax.scatter([x * size], [y * size], s=14, color=_PART_COLOURS[p % 20],
                   edgecolors="black", linewidths=0.4)
    ax.text(0.0, -0.03, caption(example, table), transform=ax.transAxes, va="top", fontsize=6.5,
            family="monospace")
  handles = [plt.Line2D([], [], marker="o", linestyle="", color=_PART_COLOURS[p % 20],
                        label=name) for p, name in enumerate(part_names)]
  if handles:  # A dataset without keypoints has no legend.
    figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  ncol=min(len(handles), 8), fontsize=7, frameon=False)
  figure.subplots_adjust(left=0.01, right=0.99, top=1.0, bottom=0.0, wspace=0.08, hspace=0.75)
  return figure


def summarise(split_sizes: dict[str, int], source, sample: list[dict[str, np.ndarray]]) -> dict:
  """The numbers of summary.json: examples per split, species and trait counts, training images per
  seen species, trait prevalence in the table (and in photos where the sample knows them),
  unreadable files and degradations in the sample."""
  table = source.trait_table
  counts = np.asarray(source.species_train_counts)
  seen = np.asarray(source.seen_species)
  seen_counts = counts[seen]
  known = np.isfinite(table.values)
  prevalence_table = np.where(known, table.values >= 0.5, False).sum(0) / np.maximum(
      known.sum(0), 1)
  visible = np.stack([e[schema.TRAITS_VISIBLE] for e in sample]) if sample else np.zeros((0,))
  degradations = [int(e[schema.DEGRADATION]) for e in sample]
  summary = {
      "examples_per_split": split_sizes,
      "num_species": table.num_species,
      "num_seen_species": int(seen.sum()),
      "num_traits": table.num_traits,
      "num_trait_groups": len(table.group_names()),
      "train_images_per_seen_species": {
          "max": int(seen_counts.max()), "min": int(seen_counts.min()),
          "median": float(np.median(seen_counts)),
          "max_over_min": float(seen_counts.max() / max(seen_counts.min(), 1))},
      "table_missing_fraction": float(1.0 - known.mean()),
      "trait_prevalence_table": dict(zip(table.traits, np.round(prevalence_table, 4).tolist())),
      "sample": {
          "split": source.split, "num_examples": len(sample),
          "num_unreadable": int(sum(not bool(e[schema.VALID]) for e in sample)),
          "degradations": {name: degradations.count(i)
                           for i, name in enumerate(schema.DEGRADATIONS)},
      },
  }
  if visible.size and np.isfinite(visible).any():
    shown = np.nansum(visible, 0) / np.maximum(np.isfinite(visible).sum(0), 1)
    summary["trait_prevalence_visible"] = dict(zip(table.traits, np.round(shown, 4).tolist()))
    summary["sample"]["trait_visible_fraction"] = float(np.isfinite(visible).mean())
  return summary


def summary_figure(summary: dict, train_counts: np.ndarray) -> plt.Figure:
  figure, (left, middle, right) = plt.subplots(
      1, 3, figsize=(17, 4.6), gridspec_kw={"width_ratios": [1, 1.4, 3]})
  names = list(summary["examples_per_split"])
  left.bar(names, [summary["examples_per_split"][n] for n in names], color="tab:blue")
  left.set_title("examples per split")
  ordered = np.sort(train_counts[train_counts > 0])[::-1]
  middle.bar(np.arange(len(ordered)), ordered, width=1.0, color="tab:green")
  middle.set_yscale("log")
  middle.set_xlabel("species, by training frequency")
  middle.set_ylabel("training images")
  middle.set_title(f"long tail: {summary['train_images_per_seen_species']['max_over_min']:.0f}x")
  traits = list(summary["trait_prevalence_table"])
  x = np.arange(len(traits))
  right.bar(x, list(summary["trait_prevalence_table"].values()), width=0.8, label="table",
            color="tab:orange")
  if "trait_prevalence_visible" in summary:
    right.plot(x, list(summary["trait_prevalence_visible"].values()), "k.", ms=4,
               label="visible in photos")
  right.set_xticks(x[::max(1, len(x) // 60)])
  right.set_xticklabels([_short(traits[i]) for i in x[::max(1, len(x) // 60)]], rotation=90,
                        fontsize=6)
  right.set_title("trait prevalence")
  right.legend(fontsize=8)
  figure.tight_layout()
  return figure


def _spread(labels: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
  """`count` example indices covering as many species as possible."""
  order = rng.permutation(len(labels))
  _, first = np.unique(labels[order], return_index=True)
  picked = order[first[rng.permutation(len(first))]][:count]
  rest = np.setdiff1d(order, picked)
  return np.concatenate([picked, rng.permutation(rest)[:count - len(picked)]]).astype(int)


def write_preview(config: ml_collections.ConfigDict, out: str, summary_examples: int = 256,
                  dpi: int = 110) -> dict:
  """Writes the preview of `config.data` into `out` (created if needed): photos of the split
  `config.preview.split` (`config.preview.num_images` of them, as many species as possible),
  and the summary of `summary_examples` photos of that split:
    examples_<split>.png  `example_grid` of the photos;
    summary.png           `summary_figure`;
    summary.json          `summarise`'s numbers;
    trait_table.csv       the species x trait table that labels the data.

  Returns:
    The summary.

  Raises:
    ValueError: the dataset has no split `config.preview.split`.
  """
  split = config.preview.split
  split_sources = {s: sources.make_source(config.data, s) for s in sources.splits(config.data)}
  if split not in split_sources:
    raise ValueError(f"preview.split={split!r}; this dataset has {list(split_sources)}")
  os.makedirs(out, exist_ok=True)
  source = split_sources[split]
  rng = np.random.default_rng(config.seed)
  grid_indices = _spread(source.labels, min(config.preview.num_images, len(source)), rng)
  sample_indices = rng.permutation(len(source))[:summary_examples]
  indices = np.concatenate([grid_indices, sample_indices])
  examples = [source[int(i)] for i in tqdm.tqdm(indices, desc=f"reading {split}", unit="img")]

  grid = example_grid(examples[:len(grid_indices)], source.trait_table, source.part_names)
  grid_path = os.path.join(out, f"examples_{split}.png")
  grid.savefig(grid_path, dpi=dpi, bbox_inches="tight")
  summary = summarise({s: len(v) for s, v in split_sources.items()}, source,
                      examples[len(grid_indices):])
  summary_path = os.path.join(out, "summary.png")
  summary_figure(summary, np.asarray(source.species_train_counts)).savefig(summary_path, dpi=dpi)
  with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
  source.trait_table.to_csv(os.path.join(out, "trait_table.csv"))
  logging.info("wrote %s, %s, summary.json, trait_table.csv", grid_path, summary_path)
  return summary
