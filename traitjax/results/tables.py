"""The docs tables rendered from stored results: a registry of render functions by table name,
each declaring the result files (`stored`) it reads.

A page marks a rendered table with `<!-- results: NAME -->` on the line before it and
`<!-- /results -->` on the line after (`pages`); the renderer registered as NAME gets a
`Results` (the files it declared, and links to them from that page) and returns the table's
lines. Numbers come out as the docs wrote them: percentages and AUCs from the float (Python's
rounding), the feature cache's seconds, GiB and speed-ups rounded half up from the
stored decimals, and a mean over seeds or splits with its 95% interval and how many values it
rests on (`mean_cell`, from `grid.mean_and_interval`).
"""

import dataclasses
import decimal
import json
from typing import Callable, Iterable

import numpy as np

from traitjax.metrics import intervals


@dataclasses.dataclass(frozen=True)
class Results:
  """The result files a table declared, by name, and the path of `results/` from its page."""
  files: dict[str, dict]
  folder: str = "../results"

  def metric(self, name: str, key: str):
    """The stored metric `key` of results/<name>.json.

    Raises:
      KeyError naming the file and the key.
    """
    metrics = self.files[name]["metrics"]
    if key not in metrics:
      raise KeyError(f"results/{name}.json has no metric {key!r}")
    return metrics[key]

  def photos(self, name: str, split: str) -> int:
    """How many photos of `split` the run in results/<name>.json was measured on."""
    photos = self.files[name].get("photos", {})
    if split not in photos:
      raise KeyError(f"results/{name}.json has no photo count of split {split!r}")
    return photos[split]

  def share(self, name: str, key: str, split: str = "test") -> str:
    """A share measured once on the photos of `split`, with its 95% Wilson interval:
    "48.8% [46.4, 51.3]"."""
    value = self.metric(name, key)
    low, high = intervals.wilson(value, self.photos(name, split))
    return f"{percent(value)} [{low:.1%}, {high:.1%}]".replace("%,", ",").replace("%]", "]")

  def has(self, name: str, key: str) -> bool:
    return key in self.files[name]["metrics"]

  def link(self, name: str) -> str:
    """results/<name>.json relative to the page, for a markdown link."""
    return f"{self.folder}/{name}.json"


@dataclasses.dataclass(frozen=True)
class Table:
  name: str
  files: tuple[str, ...]  # The result files it reads: results/<file>.json.
  render: Callable[[Results], list[str]]


# Every table by its name in the pages' markers.
TABLES: dict[str, Table] = {}


def register(name: str, files: Iterable[str]):
  """Registers the decorated function as the renderer of table `name`, reading `files`."""

  def decorator(render: Callable[[Results], list[str]]):
    if name in TABLES:
      raise ValueError(f"table {name!r} is registered twice")
    TABLES[name] = Table(name, tuple(files), render)
    return render

  return decorator


def markdown(header: list[str], rows: list[list[str]]) -> list[str]:
  """A markdown table's lines (an empty cell as `| |`, as the pages write it)."""
  def row(cells):
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"

  return [row(header), "|" + "---|" * len(header), *(row(cells) for cells in rows)]


def percent(value: float, places: int = 1) -> str:
  """0.27625 -> "27.6%"."""
  return f"{value:.{places}%}"


def fixed(value: float, places: int = 3) -> str:
  """0.87554 -> "0.876"."""
  return f"{value:.{places}f}"


def half_up(value, places: int = 0, divisor=1) -> str:
  """`value / divisor` rounded half up as a decimal, with thousands separators: 1505 / 1000
  is "1.51", which a float would round down (1.505 is stored as 1.50499...)."""
  number = decimal.Decimal(str(value)) / decimal.Decimal(str(divisor))
  rounded = number.quantize(decimal.Decimal(1).scaleb(-places), decimal.ROUND_HALF_UP)
  return f"{rounded:,}"


def mean_parts(values: list[float], places: int = 2,
               as_percent: bool = True) -> tuple[str, str | None]:
  """A mean over seeds or splits and its 95% interval as text: ("89.93%", "[89.49, 90.37]");
  one value has no interval (None). A percentage's interval is clipped to [0, 100]."""
  # grid brings the trainer with it (seconds of start-up): only tables of means import it.
  from traitjax import grid  # pylint: disable=g-import-not-at-top
  summary = grid.mean_and_interval(values)
  scale, unit = (100, "%") if as_percent else (1, "")
  mean = f"{summary['mean'] * scale:.{places}f}{unit}"
  if summary["interval_95"] is None:
    return mean, None
  bounds = summary["interval_95"]
  if as_percent:  # A share's interval stops at 0 and 1, where Student's t would not.
    bounds = [min(max(bound, 0.0), 1.0) for bound in bounds]
  low, high = (f"{bound * scale:.{places}f}" for bound in bounds)
  return mean, f"[{low}, {high}]"


def mean_cell(values: list[float], places: int = 2, as_percent: bool = True) -> str:
  """`mean_parts` with the count: "89.93% [89.49, 90.37] (n = 3)"; one value: "89.93% (n =
  1)"."""
  mean, interval = mean_parts(values, places, as_percent)
  text = mean if interval is None else f"{mean} {interval}"
  return f"{text} (n = {len(values)})"


# --- docs/training.md, "Frozen backbones: the feature cache": one call of
# benchmarks/feature_cache.py a job, each runs it uncached, with an empty cache, then warm.
_FEATURE_CACHE_JOBS = (
    ("`configs/cub.py` (one run, 600 steps)", "feature_cache_cub"),
    ("Leafsnap zero-shot sweep (5 points of 300 steps)", "feature_cache_leafsnap_zeroshot"),
    ("EuroSAT zero-shot sweep (5 points of 500 steps)", "feature_cache_eurosat_zeroshot"),
    ("`configs/leafsnap_guide.py` at 224 px (one run, 300 steps)",
     "feature_cache_leafsnap_guide_224"),
)
_CACHE_MODES = ("uncached", "cold", "warm")  # The order of the benchmark's `runs`.


@register("feature_cache", [name for _, name in _FEATURE_CACHE_JOBS])
def feature_cache(results: Results) -> list[str]:
  """Wall time (and speed-up over uncached), peak memory and cache size per job."""
  rows = []
  for job, name in _FEATURE_CACHE_JOBS:
    runs = [{field: results.metric(name, f"runs.{i}.{field}")
             for field in ("mode", "seconds", "peak_memory_mb")} for i in range(3)]
    if tuple(run["mode"] for run in runs) != _CACHE_MODES:
      raise ValueError(f"results/{name}.json: runs are not {', '.join(_CACHE_MODES)}")
    uncached, cold, warm = (run["seconds"] for run in runs)
    # The benchmark measures MiB (2**20 bytes): 1,024 of them are a GiB.
    memory = " / ".join(half_up(run["peak_memory_mb"], 2, 1024) for run in runs)
    rows.append([
        job, f"{half_up(uncached)} s",
        f"{half_up(cold)} s (**{half_up(uncached / cold, 1)}x**)",
        f"{half_up(warm)} s (**{half_up(uncached / warm, 1)}x**)",
        f"{memory} GiB",
        f"{results.metric(name, 'cache_entries'):,} entries, "
        f"{half_up(results.metric(name, 'cache_mb'), 2, 1024)} GiB"])
  return markdown(["job", "uncached", "cold cache", "warm cache",
                   "peak memory, uncached / cold / warm", "cache on disk"], rows)


def _bins(results: Results, name: str, prefix: str = "") -> str:
  """Top-1 on the head / mid / tail frequency bins: "86% / 20% / 0%"."""
  return " / ".join(percent(results.metric(name, f"{prefix}by_frequency_bin.{b}"), 0)
                    for b in ("head", "mid", "tail"))


# --- docs/training.md, "Default jobs on synthetic flora".
@register("flora_models", ["default_flora", "blackbox_flora"])
def flora_models(results: Results) -> list[str]:
  """The joint CBM against the black box: top-1, top-5, trait AUCs, top-1 per frequency bin."""
  models = (
      ("joint CBM (`configs/default.py`; [stored result]({link}))", "default_flora", ""),
      # A black box has no trait head: its trait AUCs are a linear probe's on its features.
      ("black box (`configs/blackbox.py`; [stored result]({link}))", "blackbox_flora",
       " (linear probe)"),
  )
  rows = [[model.format(link=results.link(name)),
           results.share(name, "species_top1"),
           percent(results.metric(name, "species_top5")),
           fixed(results.metric(name, "trait_auc_visible")) + probe,
           fixed(results.metric(name, "trait_auc_table")),
           _bins(results, name)] for model, name, probe in models]
  return markdown(["model", "species top-1 [95% interval]", "top-5", "trait AUC visible",
                    "trait AUC table",
                   "top-1 head / mid / tail"], rows)


# --- docs/reasoning.md, the species heads on synthetic flora.
_ZEROSHOT = "test+zeroshot.zeroshot."  # The zero-shot section of metrics.json.


@register("flora_species_heads", ["default_flora", "blackbox_flora", "trait_to_species_flora"])
def flora_species_heads(results: Results) -> list[str]:
  """Linear head, black box and trait-to-species head: top-1 (per bin) and, for the head that
  reads the table, zero-shot top-1 among the unseen species and the generalized setting."""
  models = (
      ("joint CBM, linear species head (`configs/default.py`)", "default_flora"),
      ("black box (`configs/blackbox.py`)", "blackbox_flora"),
      ("joint CBM, trait-to-species head (`configs/trait_to_species.py`; [stored result]"
       "({link}))", "trait_to_species_flora"),
  )
  unseen = results.metric("trait_to_species_flora", f"{_ZEROSHOT}num_unseen_species")
  rows = []
  for model, name in models:
    zeroshot, generalized = "-", "-"
    if results.has(name, f"{_ZEROSHOT}unseen_top1"):
      species = results.metric(name, f"{_ZEROSHOT}num_unseen_species")
      zeroshot = (f"{percent(results.metric(name, f'{_ZEROSHOT}unseen_top1'))} "
                  f"(chance {percent(1 / species)})")
      generalized = " / ".join(percent(results.metric(name, f"{_ZEROSHOT}{key}")) for key in
                               ("seen_accuracy", "unseen_accuracy", "harmonic_mean"))
    rows.append([model.format(link=results.link(name)),
                 results.share(name, "species_top1"),
                 percent(results.metric(name, "species_top5")),
                 _bins(results, name), zeroshot, generalized])
  return markdown(["model", "top-1 [95% interval]", "top-5", "head / mid / tail",
                   f"zero-shot top-1 ({unseen} unseen)",
                   "generalised: seen / unseen / H"], rows)


@register("flora_few_shot", ["trait_to_species_flora"])
def flora_few_shot(results: Results) -> list[str]:
  """docs/reasoning.md: each unseen species' row refined by n of its photos, against the table
  rows on the same photos (all photos but the shots, seen species' included)."""
  name, rows = "trait_to_species_flora", []
  for shots in ("1_shot", "5_shot"):
    n = shots.split("_")[0]
    prefix = f"{_ZEROSHOT}few_shot.{shots}."
    scored = results.metric(name, f"{prefix}num_scored")
    for label, scores in ((f"table rows ({scored:,} photos: all but {n} of each unseen "
                           "species')", f"{prefix}zeroshot."),
                          (f"refined by {n} photo{'s' * (n != '1')} each", prefix)):
      rows.append([label, *(percent(results.metric(name, scores + key)) for key in
                            ("unseen_top1", "seen_accuracy", "unseen_accuracy",
                             "harmonic_mean"))])
  return markdown(["unseen species' rows", "top-1 among the unseen", "generalised: seen",
                   "unseen", "H"], rows)


# --- Zero-shot sweeps (`config_lib.make_zeroshot_sweep`): one column per held-out split and
# their mean with its 95% interval over the splits. Per-class means, the generalised ones among
# all rows (`metrics.zeroshot`).
_SWEEP = "zeroshot.zeroshot."
_ZEROSHOT_SWEEP_ROWS = (
    ("zero-shot top-1 among the {unseen} unseen (chance {chance})", f"{_SWEEP}unseen_top1"),
    ("generalised, among all {all}: seen accuracy", f"{_SWEEP}seen_accuracy"),
    ("generalised: unseen accuracy", f"{_SWEEP}unseen_accuracy"),
    ("generalised: harmonic mean H", f"{_SWEEP}harmonic_mean"),
    ("area under the seen-unseen curve (AUSUC)", f"{_SWEEP}ausuc"),
    ("per photo: zero-shot top-1 among the unseen", f"{_SWEEP}per_photo.unseen_top1"),
    ("per photo: top-1 of the seen species' test photos among all", "species_top1"),
)


# The same sweep trained transductively (every unseen row a negative of every training photo),
# as it was measured before training became inductive: per-photo scores only.
_TRANSDUCTIVE_ROWS = (
    ("before, unseen rows trained as negatives: per photo, zero-shot top-1",
     f"{_SWEEP}unseen_top1"),
    ("before: per photo, H", f"{_SWEEP}harmonic_mean"),
)


def _split_row(label: str, values: list[float], as_percent: bool = True) -> list[str]:
  """A row of one value per split and their mean with its interval."""
  cells = [percent(v) if as_percent else fixed(v) for v in values]
  return [label, *cells, mean_cell(values, places=1 if as_percent else 3, as_percent=as_percent)]


def zeroshot_sweep_table(results: Results, name: str, section: str, unseen: int, total: int,
                         split_names: list[str], before: str = "",
                         more: tuple[list[str], ...] = ()) -> list[str]:
  """The rows of `_ZEROSHOT_SWEEP_ROWS` of the sweep `section` stored in results/<name>.json,
  one column per split (named `split_names`) and the mean over them (percentages but AUSUC);
  with `before`, the `_TRANSDUCTIVE_ROWS` of the same splits from results/<before>.json; then
  the rows `more`."""
  rows = []
  sources = [(name, _ZEROSHOT_SWEEP_ROWS)] + [(before, _TRANSDUCTIVE_ROWS)] * bool(before)
  for file, kept in sources:
    points = results.metric(file, f"{section}.results")
    if len(points) != len(split_names):
      raise ValueError(f"results/{file}.json: {len(points)} splits, the table names "
                       f"{len(split_names)}")
    for label, key in kept:
      rows.append(_split_row(label.format(unseen=unseen, all=total, chance=percent(1 / unseen)),
                             [point[key] for point in points], not key.endswith("ausuc")))
  rows += more
  return markdown(["held-out split", *split_names, "mean [95% interval] (splits)"], rows)


@register("zeroshot_cub", ["zeroshot_cub", "zeroshot_cub_table_head", "zeroshot_cub_ridge"])
def zeroshot_cub(results: Results) -> list[str]:
  """docs/reasoning.md: cub25, five 20/5 splits (configs/cub_zeroshot_splits.py), the same
  with the trait-to-species head, and the ridge baseline on frozen features
  (benchmarks/cub_zeroshot_ridge.py) on the same splits."""
  section = "cub_zeroshot_splits.results"
  points = results.metric("zeroshot_cub", section)
  splits = [list(p["point"]["data.heldout_species"]) for p in points]
  names = [", ".join(str(s) for s in split) for split in splits]
  table_head = results.metric("zeroshot_cub_table_head", section)
  ridge = results.metric("zeroshot_cub_ridge", "splits")
  if ([list(p["point"]["data.heldout_species"]) for p in table_head] != splits
      or [split["unseen_species"] for split in ridge] != splits):
    raise ValueError("results/zeroshot_cub_table_head.json or zeroshot_cub_ridge.json holds "
                     "other splits than zeroshot_cub")
  more = tuple(_split_row(f"trait-to-species (likelihood) head: {label}",
                          [point[f"{_SWEEP}{key}"] for point in table_head])
               for label, key in (("zero-shot top-1", "unseen_top1"),
                                  ("generalised H", "harmonic_mean")))
  more += tuple(_split_row(f"ridge regression on frozen features, rows {label}: zero-shot top-1",
                           [split[variant]["zeroshot_top1_per_class"] for split in ridge])
                for label, variant in (("as they are", "as_is"),
                                       ("centred on the seen rows", "centred")))
  return zeroshot_sweep_table(results, "zeroshot_cub", "cub_zeroshot_splits", 5, 25, names,
                              more=more)


@register("zeroshot_eurosat", ["zeroshot_eurosat", "zeroshot_eurosat_transductive"])
def zeroshot_eurosat(results: Results) -> list[str]:
  """docs/habitats.md: EuroSAT, five 7/3 splits (configs/eurosat_zeroshot.py)."""
  points = results.metric("zeroshot_eurosat", "eurosat_zeroshot.results")
  names = [", ".join(p["point"]["data.heldout_species"]) for p in points]
  return zeroshot_sweep_table(results, "zeroshot_eurosat", "eurosat_zeroshot", 3, 10, names,
                              before="zeroshot_eurosat_transductive")


@register("zeroshot_leafsnap_guide",
          ["zeroshot_leafsnap_guide", "zeroshot_leafsnap_guide_transductive"])
def zeroshot_leafsnap_guide(results: Results) -> list[str]:
  """docs/plants.md: the Leafsnap guide, five 130/20 splits (configs/leafsnap_guide_zeroshot.py;
  the splits' 20 names each are in the result file)."""
  points = results.metric("zeroshot_leafsnap_guide", "leafsnap_guide_zeroshot.results")
  return zeroshot_sweep_table(results, "zeroshot_leafsnap_guide", "leafsnap_guide_zeroshot",
                              20, 150, [f"split {i + 1}" for i in range(len(points))],
                              before="zeroshot_leafsnap_guide_transductive")


# --- docs/reasoning.md, "The open world" (`traitjax.open_world`): species added from their rows
# compete with the trained ones; every route's seen and unseen accuracy (per-class means) and H,
# a sweep's mean over its splits with its interval, beside the closed set (trained species
# alone). Each sweep's zero-shot result file holds them; the flora is one run.
_OPEN_WORLD_SWEEPS = (
    ("cub25, five 20/5 splits", "zeroshot_cub", "cub_zeroshot_splits"),
    ("EuroSAT, five 7/3 splits", "zeroshot_eurosat", "eurosat_zeroshot"),
    ("Leafsnap guide, five 130/20 splits", "zeroshot_leafsnap_guide", "leafsnap_guide_zeroshot"),
)
_OPEN_WORLD_FLORA = ("synthetic flora, 160 seen / 40 added species (one run)",
                     "trait_to_species_flora", "")
_OPEN_WORLD_ROUTES = (("plain (highest score)", "plain"),
                      ("calibrated stacking (the configs' route)", "calibrated_stacking"),
                      ("gated by the trust", "gated"))
_OPEN_WORLD_COLUMNS = ("seen_accuracy", "unseen_accuracy", "harmonic")


@register("open_world", [name for _, name, _ in _OPEN_WORLD_SWEEPS] + [_OPEN_WORLD_FLORA[1]])
def open_world_table(results: Results) -> list[str]:
  """Per data set and route: seen accuracy, unseen (added) accuracy and H; a sweep's cells are
  means over its splits with their 95% intervals."""
  rows = []
  for label, name, section in _OPEN_WORLD_SWEEPS:
    points = results.metric(name, f"{section}.results")

    def cell(key, points=points):
      return mean_cell([point[f"open_world.{key}"] for point in points], places=1)

    rows.append([f"{label} ([stored]({results.link(name)}))", "closed set: trained species alone",
                 cell("closed_set_seen_accuracy"), "", ""])
    rows += [["", route_label, *(cell(f"routes.{route}.{column}")
                                 for column in _OPEN_WORLD_COLUMNS)]
             for route_label, route in _OPEN_WORLD_ROUTES]
  label, name, prefix = _OPEN_WORLD_FLORA
  rows.append([f"{label} ([stored]({results.link(name)}))", "closed set: trained species alone",
               percent(results.metric(name, f"{prefix}open_world.closed_set_seen_accuracy")),
               "", ""])
  rows += [["", route_label, *(percent(results.metric(
      name, f"{prefix}open_world.routes.{route}.{column}")) for column in _OPEN_WORLD_COLUMNS)]
           for route_label, route in _OPEN_WORLD_ROUTES]
  return markdown(["data (splits)", "route", "seen accuracy", "unseen (added) accuracy", "H"],
                  rows)


@register("open_set_cub", ["open_set_cub"])
def open_set_table(results: Results) -> list[str]:
  """configs/cub_open_set.py: per route, the share of each set's photos declined (95% Wilson
  intervals over its photos) and the AUROC of the decline score, photos of species in neither
  set against those of known ones."""
  counts = {kind: int(results.metric("open_set_cub", f"open_world.num_{kind}_photos"))
            for kind in ("seen", "unseen", "unknown")}

  def declined(route, kind, count):
    value = results.metric("open_set_cub", f"open_world.routes.{route}.{kind}_declined")
    low, high = intervals.wilson(value, count)
    return (f"{percent(value)} [{low:.1%}, {high:.1%}]".replace("%,", ",").replace("%]", "]")
            + f" ({count})")

  rows = []
  for route_label, route in _OPEN_WORLD_ROUTES:
    named_right = int(results.metric("open_set_cub", f"open_world.routes.{route}.num_seen_right"))
    rows.append([route_label,
                 percent(results.metric("open_set_cub", f"open_world.routes.{route}.harmonic")),
                 declined(route, "seen_right", named_right),
                 *(declined(route, kind, counts[kind]) for kind in ("seen", "unseen", "unknown")),
                 fixed(results.metric("open_set_cub",
                                      f"open_world.routes.{route}.decline_auroc"))])
  return markdown(["route", "H (trained / added)", "declined (photos): trained, named right",
                   "trained, all", "added", "neither set", "decline AUROC"], rows)


# --- docs/language.md: the description parser's parts on cub25's real texts
# (benchmarks/describe_ablation.py), each row a variant of the benchmark by its label there.
_DESCRIBE_ROWS = (
    ("keyword matcher (part and value word in one sentence)", "keyword matcher"),
    ("encoder only, every sentence (the previous parser)",
     "encoder only, every sentence (the previous method)"),
    ("prior of the other 24 species alone, no text", "prior only"),
    ("**text only** (rules + encoder + name)", "text only: rules + encoder + name, no prior"),
    ("text only, without synonyms and part spread", "text only without synonyms"),
    ("without qualifiers", "text only without qualifiers"),
    ("without coordination", "text only without coordination"),
    ("without family cues", "text only without family"),
    ("without negation", "text only without negation"),
    ("without contrast", "text only without contrast"),
    ("without size words", "text only without size"),
    ("without the name", "text only without name"),
    ("without the encoder", "text only without encoder"),
    ("**text + prior of known species** (the default)",
     "**full**: rules + encoder + name + prior"),
)
_DESCRIBE_SOURCES = ("wikipedia", "gpt4", "field guide")
# The variants whose tables hold the prior: no AUC over traits (the benchmark's docstring).
_DESCRIBE_WITH_PRIOR = ("prior only", "**full**: rules + encoder + name + prior")


@register("describe_cub25", ["describe_cub25"])
def describe_cub25(results: Results) -> list[str]:
  """Macro AUC over species per source, and over traits for the tables without the prior."""
  rows = results.metric("describe_cub25", "rows")
  lines = []
  for label, variant in _DESCRIBE_ROWS:
    scores = rows[variant]
    cells = [fixed(scores[source]["species_auc"]) for source in _DESCRIBE_SOURCES]
    if label.startswith("**"):
      cells = [f"**{cell}**" for cell in cells]
    over_traits = ("-" if variant in _DESCRIBE_WITH_PRIOR else " / ".join(
        fixed(scores[source]["trait_auc"]) for source in _DESCRIBE_SOURCES))
    lines.append([label, *cells, over_traits])
  return markdown(["parser", "Wikipedia (25 articles)", "GPT-4 (6 per species)",
                   "field guide (`data/descriptions/cub25.json`)",
                   "over traits: Wikipedia / GPT-4 / field guide"], lines)


@register("open_vocabulary", ["heldout_traits_linear_flora", "open_vocabulary_flora"])
def open_vocabulary(results: Results) -> list[str]:
  """docs/language.md: the held-out and the trained traits' visible AUC and species top-1 of
  the linear and the phrase trait heads, on one split of the flora's traits."""
  rows = []
  for label, name in (("linear (`configs/default.py --config.model.heldout_trait_fraction=0.2`)",
                       "heldout_traits_linear_flora"),
                      ("phrases (`configs/open_vocabulary.py`)", "open_vocabulary_flora")):
    rows.append([f"{label} ([stored]({results.link(name)}))",
                 fixed(results.metric(name, "heldout_traits.trait_auc_visible")),
                 fixed(results.metric(name, "trained_traits.trait_auc_visible")),
                 results.share(name, "species_top1")])
  return markdown(["trait head (default data and schedule)", "held-out traits: visible AUC",
                   "trained traits: visible AUC", "species top-1 [95% interval]"], rows)


# --- docs/plants.md, several photos of one plant (evaluator `multi_photo`): every n on the
# same species, each top-1 with its bootstrap interval over species.
_MULTI_PHOTO_ROWS = (
    ("CBM: trait evidence pooled per trait, organ-gated", "cbm", "pooled_gated"),
    ("CBM: trait evidence pooled, every trait counted", "cbm", "pooled_ungated"),
    ("CBM: species probabilities averaged, each photo organ-gated", "cbm", "mean_gated"),
    ("CBM: species probabilities averaged", "cbm", "mean_ungated"),
    ("black box: species probabilities averaged", "blackbox", "mean_ungated"),
)
# Paired differences of the CBM's combinations, on the same bootstrap resamples.
_MULTI_PHOTO_DIFFERENCES = (
    ("pooled and gated - averaged", "pooled_gated_minus_mean_ungated"),
    ("pooled: gated - every trait", "pooled_gated_minus_pooled_ungated"),
    ("gated: pooled - averaged", "pooled_gated_minus_mean_gated"),
)


def interval_cell(value: float, interval: list[float]) -> str:
  """"25.0% [19.1, 31.2]" from a share and its interval."""
  return f"{percent(value)} [{interval[0]:.1%}, {interval[1]:.1%}]".replace("%,", ",").replace(
      "%]", "]")


def _difference_cell(value: float, interval: list[float]) -> str:
  """A paired difference in points with its interval, "tie" when the interval holds 0."""
  text = f"{value * 100:+.1f} [{interval[0] * 100:+.1f}, {interval[1] * 100:+.1f}]"
  return text + (" tie" if interval[0] <= 0 <= interval[1] else "")


def multi_photo_table(results: Results, cbm: str, blackbox: str) -> list[str]:
  """Top-1 from 1..n photos, per combination, with intervals; then the CBM's paired
  differences; the species and queries every column rests on. `cbm` and `blackbox`: the
  result files of the two models' runs."""
  reports = {model: results.metric(name, "multi_photo")
             for model, name in (("cbm", cbm), ("blackbox", blackbox))}
  report = reports["cbm"]
  if report["species"] != reports["blackbox"]["species"]:
    raise ValueError(f"results/{cbm}.json and {blackbox}.json: scored on other species")
  counts = [str(n) for n in report["counts"]]
  rows = []
  for label, model, combination in _MULTI_PHOTO_ROWS:
    cells = [reports[model]["by_count"][n][combination] for n in counts]
    rows.append([label, *(interval_cell(c["species_top1"], c["interval"]) for c in cells)])
  for label, key in _MULTI_PHOTO_DIFFERENCES:
    cells = [report["by_count"][n]["differences"][key] for n in counts]
    rows.append([f"difference, {label} (points)",
                 *(_difference_cell(c["difference"], c["interval"]) for c in cells)])
  rows.append(["queries (species)", *(f"{report['by_count'][n]['num_queries']:,} "
                                      f"({report['num_species']})" for n in counts)])
  return markdown(["combination", *(f"{n} photo{'s' * (n != '1')}" for n in counts)], rows)


@register("multi_photo", ["leafsnap_guide_cbm", "leafsnap_guide_blackbox"])
def multi_photo_128(results: Results) -> list[str]:
  """docs/plants.md: the Leafsnap guide at 128 px (configs/leafsnap_guide.py)."""
  return multi_photo_table(results, "leafsnap_guide_cbm", "leafsnap_guide_blackbox")


@register("multi_photo_224", ["leafsnap_guide_224_cbm", "leafsnap_guide_224_blackbox"])
def multi_photo_224(results: Results) -> list[str]:
  """docs/plants.md: the same at 224 px (`--config.data.image_size=224`)."""
  return multi_photo_table(results, "leafsnap_guide_224_cbm", "leafsnap_guide_224_blackbox")


# --- docs/reasoning.md, test-time intervention on synthetic flora: each photo's k most
# uncertain traits set to its own visible truth (no oracle).
_INTERVENTION_RUNS = (
    ("joint CBM, linear head", "default_flora"),
    ("joint CBM, trait-to-species head", "trait_to_species_flora"),
    ("sequential CBM, linear head (`--config.model.mode=sequential`)", "sequential_flora"),
    ("independent CBM, linear head (`--config.model.mode=independent`)", "independent_flora"),
    ("trait-to-species head, graded table (`--config.data.graded_table=True`)",
     "trait_to_species_graded_flora"),
)


@register("flora_intervention", [name for _, name in _INTERVENTION_RUNS])
def flora_intervention(results: Results) -> list[str]:
  """Top-1 after k corrected traits, one row per run (the last k is every trait); each run's
  top-1 at k = 0 with its Wilson interval over the test photos."""
  ks = results.metric(_INTERVENTION_RUNS[0][1], "intervention.k")
  rows = []
  for label, name in _INTERVENTION_RUNS:
    if results.metric(name, "intervention.k") != ks:
      raise ValueError(f"results/{name}.json: intervention ks differ from the other runs'")
    if results.metric(name, "intervention.truth") != "traits_visible":
      raise ValueError(f"results/{name}.json: not corrected to each photo's visible traits")
    top1 = results.metric(name, "intervention.species_top1")
    rows.append([f"{label} ([stored]({results.link(name)}))",
                 *(percent(value) for value in top1)])
  return markdown(["k corrected", *(str(k) for k in ks[:-1]), f"all {ks[-1]}"], rows)


# --- docs/reasoning.md, trait-label noise: configs/noise_sweep.py (every cell, one seed) and
# its :seeds variant (other seeds of the cells the page compares).
_FLIPS = "data.false_positive,data.false_negative"
_TRAIT_LOSS = "model.trait_loss.name"
_NOISE_SWEEP, _NOISE_SEEDS = "noise_sweep_flora", "noise_sweep_seeds_flora"


def noise_runs(results: Results, *names: str) -> dict[tuple[float, str, int], dict]:
  """Every point of the noise sweeps stored as `names`, by (flip rate, trait loss, seed); a
  sweep without a seed axis has its file's one seed.

  Raises:
    ValueError for two runs of one (flip rate, loss, seed), or a file without a seed axis that
    does not store exactly one seed.
  """
  runs = {}
  for name in names:
    seeds = results.files[name]["seeds"]
    for point in results.metric(name, "noise_sweep.results"):
      fields = point["point"]
      if "seed" not in fields and len(seeds) != 1:
        raise ValueError(f"results/{name}.json: no seed axis, and not one stored seed: {seeds}")
      key = (fields[_FLIPS], fields[_TRAIT_LOSS], fields.get("seed", seeds[0]))
      if key in runs:
        raise ValueError(f"results/{name}.json: a second run of {key}")
      runs[key] = point
  return runs


@register("noise_sweep", [_NOISE_SWEEP, "copy_table_auc_flora"])
def noise_sweep(results: Results) -> list[str]:
  """Visible-trait AUC of each trait loss at each flip rate (one run a cell) and what is lost
  from the lowest to the highest rate; last, what copying each photo's species row of the noisy
  table scores (`benchmarks/copy_table_auc.py`)."""
  runs = noise_runs(results, _NOISE_SWEEP)
  flips = sorted({flip for flip, _, _ in runs})
  losses = list(dict.fromkeys(loss for _, loss, _ in runs))
  (seed,) = results.files[_NOISE_SWEEP]["seeds"]
  copied = results.metric("copy_table_auc_flora", "by_flips")
  if [line["flips"] for line in copied] != flips:
    raise ValueError("results/copy_table_auc_flora.json: flip rates differ from the sweep's")

  def row(label, aucs):
    return [label, *(fixed(auc) for auc in aucs), fixed(aucs[0] - aucs[-1])]

  rows = [row(loss, [runs[(flip, loss, seed)]["trait_auc_visible"] for flip in flips])
          for loss in losses]
  rows.append(row("copying the noisy table (`benchmarks/copy_table_auc.py`; [stored]"
                  f"({results.link('copy_table_auc_flora')}))",
                  [line["noisy_rows_auc"] for line in copied]))
  return markdown([f"trait loss (seed {seed}; [stored]({results.link(_NOISE_SWEEP)}))",
                   *(f"{flip:.0%} flips" for flip in flips),
                   f"AUC lost, {flips[0]:.0%} -> {flips[-1]:.0%}"], rows)


def noise_seed_cells(results: Results) -> tuple[list[int], list[float], list[str], Callable]:
  """The cells `configs/noise_sweep.py:seeds` repeats, over its seeds and the full sweep's:
  (seeds, flip rates, losses, values(loss, flip, key) -> one value a seed, in seed order).

  Raises:
    ValueError naming a cell that lacks a run of one of the seeds.
  """
  runs = noise_runs(results, _NOISE_SWEEP, _NOISE_SEEDS)
  repeated = noise_runs(results, _NOISE_SEEDS)
  seeds = sorted({seed for *_, seed in runs})
  flips = sorted({flip for flip, _, _ in repeated})
  losses = list(dict.fromkeys(loss for _, loss, _ in repeated))

  def values(loss: str, flip: float, key: str) -> list[float]:
    missing = [seed for seed in seeds if (flip, loss, seed) not in runs]
    if missing:
      raise ValueError(f"no stored run of {loss} at {flip:.0%} flips with seeds {missing}")
    return [runs[(flip, loss, seed)][key] for seed in seeds]

  return seeds, flips, losses, values


@register("noise_losses_seeds", [_NOISE_SWEEP, _NOISE_SEEDS])
def noise_losses_seeds(results: Results) -> list[str]:
  """The losses the page compares at the flip rate repeated with other seeds, each a mean over
  the seeds with its 95% interval: visible-trait AUC, AUC against the noisy rows and species
  top-1; last, the second loss minus the first (paired by seed)."""
  seeds, (flip,), losses, values = noise_seed_cells(results)
  keys = ("trait_auc_visible", "trait_auc_table", "species_top1")
  scores = {loss: np.array([values(loss, flip, key) for key in keys]) for loss in losses}

  def cells(columns, difference=False):
    aucs = [mean_cell(list(column), 3, as_percent=False) for column in columns[:2]]
    if not difference:
      return [*aucs, mean_cell(list(columns[2]), 1)]
    # A difference of shares in percentage points: its interval is not clipped at 0.
    mean, interval = mean_parts(list(columns[2] * 100), 1, as_percent=False)
    return [*aucs, f"{mean} points {interval} (n = {len(columns[2])})"]

  rows = [[loss, *cells(scores[loss])] for loss in losses]
  first, second = losses
  rows.append([f"{second} minus {first} (paired by seed)",
               *cells(scores[second] - scores[first], difference=True)])
  return markdown([f"trait loss, {flip:.0%} flips (seeds {', '.join(map(str, seeds))}; "
                   f"[stored]({results.link(_NOISE_SWEEP)}), "
                   f"[stored]({results.link(_NOISE_SEEDS)}))", "visible-trait AUC",
                   "AUC against the noisy rows", "species top-1"], rows)


def zeroshot_tables(results: Results, section: str, runs: tuple[tuple[str, str], ...],
                    unseen: int, total: int) -> list[str]:
  """The same zero-shot sweep `section` on other tables (`runs`: (label, result file)): per
  split and the mean, the zero-shot top-1, H and the seen test photos' top-1."""
  rows = []
  for key, what in ((f"{_SWEEP}unseen_top1", f"zero-shot top-1 among the {unseen}"),
                    (f"{_SWEEP}harmonic_mean", "generalised H"),
                    ("species_top1", f"per photo: seen test photos among all {total}")):
    for label, name in runs:
      rows.append(_split_row(f"{what}, {label}",
                             [point[key] for point in results.metric(name, section)]))
  return markdown(["table the model trains on and reads the rows from", "split 1", "2", "3",
                   "4", "5", "mean [95% interval] (splits)"], rows)


@register("zeroshot_leafsnap_tables",
          ["zeroshot_leafsnap_guide", "zeroshot_leafsnap_guide_texts"])
def zeroshot_leafsnap_tables(results: Results) -> list[str]:
  """docs/plants.md: the sweep on the written paragraphs' table and on the guide's own texts'
  table (`--config.data.table=data/tables/leafsnap.csv`)."""
  return zeroshot_tables(
      results, "leafsnap_guide_zeroshot.results",
      (("written paragraphs (`data/tables/leafsnap_written.csv`, the config)",
        "zeroshot_leafsnap_guide"),
       ("the guide's own texts (`data/tables/leafsnap.csv`)", "zeroshot_leafsnap_guide_texts")),
      20, 150)


@register("zeroshot_eurosat_tables", ["zeroshot_eurosat", "zeroshot_eurosat_hand"])
def zeroshot_eurosat_tables(results: Results) -> list[str]:
  """docs/habitats.md: the sweep on the parsed table and on the one filled by hand from the
  same paragraphs (`--config.data.table=data/tables/eurosat_hand.csv`)."""
  return zeroshot_tables(
      results, "eurosat_zeroshot.results",
      (("parsed table (`data/tables/eurosat.csv`, the config)", "zeroshot_eurosat"),
       ("filled by hand (`data/tables/eurosat_hand.csv`)", "zeroshot_eurosat_hand")), 3, 10)


# --- docs/training.md, cached views against augmenting on the fly: CUB over seeds 0-2.
_CACHED_VIEWS = (("a new augmented view each step (uncached)", "on_the_fly"),
                 ("one of 4 cached views (default)", "views_4"),
                 ("the plain photo (`cached_views=0`)", "plain"))


@register("cached_views", ["cached_views_cub"])
def cached_views(results: Results) -> list[str]:
  """Top-1 (mean over seeds, 95% interval), its paired difference to augmenting on the fly,
  trait AUC and calibration ECE (means over seeds), per way of reading the training photos."""
  from traitjax import grid  # pylint: disable=g-import-not-at-top  (see mean_cell)

  def values(key):
    return results.metric("cached_views_cub", f"{key}.values")

  def interval(summary, scale, unit, sign=""):
    low, high = (f"{bound * scale:{sign}.2f}" for bound in summary["interval_95"])
    return f"{summary['mean'] * scale:{sign}.2f}{unit} [{low}, {high}]"

  rows = []
  for label, way in _CACHED_VIEWS:
    top1 = grid.mean_and_interval(values(f"sweeps.{way}.species_top1"))
    difference = ""
    if way != "on_the_fly":
      difference = interval(grid.mean_and_interval(
          values(f"differences.{way}.species_top1")), 100, " pp", "+")
    rows.append([label, interval(top1, 100, "%"), difference,
                 fixed(float(np.mean(values(f"sweeps.{way}.trait_auc_table"))), 4),
                 fixed(float(np.mean(values(f"sweeps.{way}.calibration.ece_after"))))])
  return markdown(["training reads", "species top-1", "difference to on the fly (paired by seed)",
                   "trait AUC table", "calibration ECE"], rows)


# --- docs/plants.md, single photos of the Leafsnap guide (configs/leafsnap_guide.py).
_ORGANS = ("leaf", "needle", "petiole", "flower", "fruit", "seed", "cone", "bark")
_GUIDE_RUNS = (
    ("CBM, organ mask (the config)", "leafsnap_guide_cbm"),
    ("CBM, no mask (`--config.data.organ_mask=False`)", "leafsnap_guide_no_mask"),
    ("CBM, organ mask, the guide's table (`--config.data.table=data/tables/leafsnap.csv`)",
     "leafsnap_guide_texts_table"),
    ("black box (`--config.model.mode=blackbox`)", "leafsnap_guide_blackbox"),
)


@register("leafsnap_guide_single_photos", [name for _, name in _GUIDE_RUNS])
def leafsnap_guide_single_photos(results: Results) -> list[str]:
  """Top-1 (with its Wilson interval), top-5, organ-gated top-1 and top-1 by the photo's
  organ, per model."""
  first = _GUIDE_RUNS[0][1]
  counts = {organ: results.metric(first, f"by_organ.{organ}.num_examples") for organ in _ORGANS}
  rows = []
  for label, name in _GUIDE_RUNS:
    gated = "-"
    if results.has(name, "species_top1_organ_gated"):
      gated = percent(results.metric(name, "species_top1_organ_gated"))
    rows.append([f"{label} ([stored]({results.link(name)}))",
                 results.share(name, "species_top1"),
                 percent(results.metric(name, "species_top5")), gated,
                 *(percent(results.metric(name, f"by_organ.{organ}.species_top1"))
                   for organ in _ORGANS)])
  return markdown(["model", "top-1 [95% interval]", "top-5", "organ-gated top-1",
                   *(f"{organ} ({counts[organ]})" for organ in _ORGANS)], rows)


@register("leafsnap_guide_trait_auc", ["leafsnap_guide_cbm", "leafsnap_guide_no_mask",
                                       "leafsnap_guide_blackbox"])
def leafsnap_guide_trait_auc(results: Results) -> list[str]:
  """Trait AUC by organ, over the traits that organ can show (the black box's: its probe)."""
  runs = (("CBM, organ mask", "leafsnap_guide_cbm"), ("CBM, no mask", "leafsnap_guide_no_mask"),
          ("black box (probe)", "leafsnap_guide_blackbox"))
  rows = [[label, *(fixed(results.metric(name, f"by_organ.{organ}.trait_auc_table"))
                    for organ in _ORGANS)] for label, name in runs]
  return markdown(["model", *_ORGANS], rows)


# --- docs/trust.md: the trust measured on one run each of cub25 and the flora (test split).
# (column label, result file, how many species its conformal sets choose from).
_TRUST_RUNS = (("cub25 (`configs/cub.py`, seed 0; [stored]({link}))", "cub", 25),
               ("synthetic flora (`configs/default.py`; [stored]({link}))", "default_flora",
                200))


def _trust_cells(results: Results, name: str, num_species: int) -> list[str]:
  """One column of the trust table."""
  def m(key):
    return results.metric(name, key)

  return [
      results.share(name, "species_top1"),
      f"{fixed(m('calibration.ece_before'))} → {fixed(m('calibration.ece_after'))} "
      f"(T = {fixed(m('calibration.temperature'), 2)})",
      f"{fixed(m('calibration.nll_before'))} → {fixed(m('calibration.nll_after'))}",
      f"{fixed(m('calibration.traits.ece_before'))} → {fixed(m('calibration.traits.ece_after'))}",
      f"{percent(m('selective.accuracy_at_coverage.0.8'))} ({m('selective.score')})",
      f"{fixed(m('selective.aurc'))} / {fixed(m('selective.augrc'))}",
      f"{percent(m('selective.decisions.abstention_rate'))}, "
      f"{percent(m('selective.decisions.selective_accuracy'))}",
      f"{percent(m('conformal.coverage'))}, {m('conformal.mean_set_size'):.1f} of "
      f"{num_species}",
      " / ".join(fixed(m(f"explanations.pointing_game{suffix}"))
                 for suffix in ("", "_centre", "_random")),
      f"{fixed(m('explanations.deletion_area_cited'))} / "
      f"{fixed(m('explanations.deletion_area_random'))}",
      f"{fixed(m('explanations.simulatability'), 2)}; "
      f"{fixed(m('explanations.simulatability_all_traits'), 2)}",
  ]


@register("trust", [name for _, name, _ in _TRUST_RUNS])
def trust_table(results: Results) -> list[str]:
  """Top-1 (Wilson interval), calibration, selective answers, conformal sets and the
  explanations' faithfulness, per dataset."""
  labels = ["species top-1 [95% interval]", "ECE before → after (temperature)",
            "NLL before → after", "trait ECE before → after",
            "accuracy at 80% coverage (best score on val)", "AURC / AUGRC",
            "decisions at target 95%: abstained, accuracy of the rest",
            "conformal coverage at α = 0.05, mean set size", "pointing game / centre / random",
            "deletion area cited / random", "simulatability (cited traits only; all traits)"]
  columns = [_trust_cells(results, name, species) for _, name, species in _TRUST_RUNS]
  rows = [[label, *(column[i] for column in columns)] for i, label in enumerate(labels)]
  return markdown(["measured (one command each, test split)",
                   *(label.format(link=results.link(name)) for label, name, _ in _TRUST_RUNS)],
                  rows)


_SCORES = ("max_probability", "margin", "compatibility", "evidence", "combined")


# --- docs/trust.md, "Faithfulness in the image": the occlusion evaluator per trait kind, and the
# simulated user.
@register("cub_faithfulness", ["cub_faithfulness"])
def cub_faithfulness(results: Results) -> list[str]:
  """Per trait kind (and all): tests, the trait's and the species' drop with its part hidden
  and with the control hidden, the paired difference with its bootstrap interval."""
  def row(label, prefix):
    def points(key):
      return f"{results.metric('cub_faithfulness', prefix + key) * 100:+.1f}"

    def difference(what):
      low, high = results.metric("cub_faithfulness", f"{prefix}{what}_drop_difference_interval")
      return f"{points(what + '_drop_difference')} [{low * 100:+.1f}, {high * 100:+.1f}]"

    return [label, str(results.metric("cub_faithfulness", prefix + "num_tests")),
            f"{points('trait_drop_part')} / {points('trait_drop_control')}",
            difference("trait"),
            f"{points('species_drop_part')} / {points('species_drop_control')}",
            difference("species")]

  kinds = sorted({key.split(".")[2] for key in results.files["cub_faithfulness"]["metrics"]
                  if key.startswith("occlusion.by_kind.")})
  rows = [row("every cited trait", "occlusion.")] + [
      row(kind, f"occlusion.by_kind.{kind}.") for kind in kinds]
  return markdown(["cited traits", "tests", "trait drop (points): part / control",
                   "difference [95%]", "species drop: part / control", "difference [95%]"],
                  rows)


@register("simulated_user", ["cub_faithfulness"])
def simulated_user(results: Results) -> list[str]:
  """The simulated user: picks, and acceptances with the decision and with the probability."""
  key = "explanations.simulated_user."
  metric = lambda name: results.metric("cub_faithfulness", key + name)
  rows = [["picks the model's species of the two the page names first (chance 50%)",
           percent(metric("picks_model_species"))],
          ["for comparison: the nearest of all 25 rows over the cited traits alone",
           percent(results.metric("cub_faithfulness", "explanations.simulatability"))]]
  for label, policy in (("the page's decision (identify / abstain)", "with_decision"),
                        ("the species probability alone (>= 50%)", "with_probability")):
    rows.append([f"accepts, following {label}: right answers / wrong answers",
                 f"{percent(metric(f'accepts.{policy}.right'))} / "
                 f"{percent(metric(f'accepts.{policy}.wrong'))}"])
  rows.append(["answers right / wrong", f"{metric('num_right')} / {metric('num_wrong')}"])
  return markdown(["simulated user (cub25 test photos, seed 0)", ""], rows)


@register("cub_heads", ["cub_faithfulness", "cub_seeds", "cub_seeds_cosine"])
def cub_heads(results: Results) -> list[str]:
  """docs/trust.md: the linear species head against the centred-cosine head, whose
  contributions follow the species' rows: accuracy, what a reader redoes from the cited traits,
  the oracle with every trait set to the species' row, and occlusion of cited colours."""
  linear = "cub_faithfulness"
  cosine = lambda key: results.metric("cub_seeds_cosine", f"per point: {key}")
  seeds = lambda name: [p["species_top1"] for p in results.metric(name, "cub_seeds.results")]
  colour = "occlusion.by_kind.color."
  rows = [
      ["species top-1 (seeds 0-2)", mean_cell(seeds("cub_seeds"), 1),
       mean_cell(seeds("cub_seeds_cosine"), 1)],
      ["nearest of the 25 rows over the cited traits is the model's species",
       percent(results.metric(linear, "explanations.simulatability")),
       mean_cell(cosine("explanations.simulatability"), 1)],
      ["the simulated user picks the model's species of the page's two",
       percent(results.metric(linear, "explanations.simulated_user.picks_model_species")),
       mean_cell(cosine("explanations.simulated_user.picks_model_species"), 1)],
      ["top-1 with all 312 traits set to the species' own row (oracle)",
       percent(results.metric(linear, "intervention.species_top1")[-1]),
       mean_cell([curve[-1] for curve in cosine("intervention.species_top1")], 1)],
      ["a cited colour's drop (points), part / control",
       f"{results.metric(linear, colour + 'trait_drop_part') * 100:.1f} / "
       f"{results.metric(linear, colour + 'trait_drop_control') * 100:.1f}",
       f"{np.mean(cosine(colour + 'trait_drop_part')) * 100:.1f} / "
       f"{np.mean(cosine(colour + 'trait_drop_control')) * 100:.1f}"],
  ]
  return markdown(["cub25 test photos", f"linear head (seed 0; [stored]({results.link(linear)}))",
                   f"centred-cosine head (seeds 0-2; "
                   f"[stored]({results.link('cub_seeds_cosine')}))"], rows)


@register("seen_vs_unseen", ["cub_unseen", "default_flora"])
def seen_vs_unseen(results: Results) -> list[str]:
  """AUROC of each trust score at telling seen species' test photos from unseen ones'."""
  runs = (("cub25, species 21-25 unseen", "cub_unseen"),
          ("synthetic flora, 40 zero-shot species", "default_flora"))
  rows = []
  for label, name in runs:
    seen, unseen = results.photos(name, "test"), results.photos(name, "zeroshot")
    rows.append([f"{label} ({seen:,} seen, {unseen:,} unseen photos; "
                 f"[stored]({results.link(name)}))",
                 *(fixed(results.metric(name, f"selective.ood_auroc.{score}"))
                   for score in _SCORES)])
  return markdown(["AUROC, seen vs unseen photos", *(s.replace("_", " ") for s in _SCORES)],
                  rows)


# --- docs/training.md, CUB: the joint CBM over three seeds, the other rows one run each.
_CUB_RUNS = (("black box (`--config.model.mode=blackbox`)", "bird box", "cub_blackbox",
              " (linear probe)"),
             ("joint CBM (`--config.data.crop_to_bbox=False`)", "whole photo", "cub_whole", ""),
             ("black box (both overrides)", "whole photo", "cub_whole_blackbox",
              " (linear probe)"))


@register("cub_models", ["cub_seeds"] + [name for _, _, name, _ in _CUB_RUNS])
def cub_models(results: Results) -> list[str]:
  """Top-1 (over seeds with its interval, or one run with its Wilson interval), top-5 and
  trait AUC, per model and crop."""
  seeds = results.metric("cub_seeds", "cub_seeds.results")
  rows = [[f"joint CBM (`configs/cub.py`, seeds 0-2; [stored]({results.link('cub_seeds')}))",
           "bird box", mean_cell([p["species_top1"] for p in seeds], 1),
           mean_cell([p["species_top5"] for p in seeds], 1),
           mean_cell([p["trait_auc_table"] for p in seeds], 3, as_percent=False)]]
  for label, crop, name, probe in _CUB_RUNS:
    rows.append([f"{label} ([stored]({results.link(name)}))", crop,
                 results.share(name, "species_top1"),
                 percent(results.metric(name, "species_top5")),
                 fixed(results.metric(name, "trait_auc_table")) + probe])
  return markdown(["model", "crop", "species top-1 [95% interval]", "top-5", "trait AUC table"],
                  rows)


@register("leafsnap_guide_224", ["leafsnap_guide_224_cbm", "leafsnap_guide_224_blackbox"])
def leafsnap_guide_224(results: Results) -> list[str]:
  """docs/plants.md: single photos at 224 px, CBM and black box."""
  rows = []
  for label, name, probe in (("CBM, organ mask", "leafsnap_guide_224_cbm", ""),
                             ("black box", "leafsnap_guide_224_blackbox", " (probe)")):
    rows.append([f"{label} ([stored]({results.link(name)}))", results.share(name, "species_top1"),
                 percent(results.metric(name, "species_top5")),
                 ", ".join(fixed(results.metric(name, f"by_organ.{organ}.trait_auc_table"))
                           for organ in ("fruit", "leaf")) + probe])
  return markdown(["model at 224 px", "top-1 [95% interval]", "top-5", "trait AUC (fruit, leaf)"],
                  rows)


# --- docs/trust.md, cub25 on degraded photos (the degradation evaluator).
_DEGRADATIONS = ("blur", "dark", "partial")
_STRENGTHS = ("0.25", "0.5", "0.75")


@register("cub_degradation", ["cub"])
def cub_degradation(results: Results) -> list[str]:
  """Top-1, ECE, abstentions and the answers' accuracy, clean and at each strength."""

  def cells(field, fmt):
    clean = fmt(results.metric("cub", f"degradation.none.{field}"))
    return [clean, *(" / ".join(fmt(results.metric("cub", f"degradation.{kind}.{s}.{field}"))
                                for s in _STRENGTHS) for kind in _DEGRADATIONS)]

  def share(value):
    return "-" if value is None else percent(value)

  rows = [["top-1", *cells("accuracy", share)], ["ECE", *cells("ece", fixed)],
          ["abstained", *cells("abstention_rate", share)],
          ["accuracy of the answers", *cells("selective_accuracy", share)]]
  return markdown(["cub25", "clean", "blur 0.25 / 0.5 / 0.75", "dark 0.25 / 0.5 / 0.75",
                   "partial view 0.25 / 0.5 / 0.75"], rows)


# --- docs/discovery.md, slot attention on synthetic flora (configs/slots.py).
_PART_COLUMNS = (("nmi", fixed), ("ari", fixed), ("keypoint_error", fixed),
                 ("background_share", percent))


def _part_cells(point: dict, prefix: str, top1: str) -> list[str]:
  """NMI, ARI, keypoint error, keypoints in the background slot and species top-1."""
  return [*(show(point[f"{prefix}parts.{key}"]) for key, show in _PART_COLUMNS),
          percent(point[top1])]


def chosen_slot_point(points: list[dict]) -> dict:
  """The point a slot sweep chooses (`configs/slots.py:part_losses`, `configs/cub_slots.py:
  num_slots`): the highest val NMI among the points whose background slot still takes some val
  keypoints (with none, the sky and the soil must be parts too)."""
  alive = [point for point in points if point["val.parts.background_share"] > 0]
  return max(alive, key=lambda point: point["val.parts.nmi"])


def slot_sweep_table(points: list[dict], label: Callable[[dict], str], what: str) -> list[str]:
  """Each point of a slot sweep on val (what chooses) and on test, the chosen one in bold;
  `label` names a point by its config fields, `what` heads that column."""
  chosen = chosen_slot_point(points)
  rows = []
  for point in points:
    cells = [label(point["point"]), *_part_cells(point, "val.", "val.species_top1"),
             *_part_cells(point, "", "species_top1")]
    if point is chosen:
      cells = [f"**{cell}**" for cell in cells[:6]] + cells[6:]
      cells[0] += " (chosen)"
    rows.append(cells)
  columns = ["NMI", "ARI", "kp. error", "background", "top-1"]
  return markdown([what, *(f"val: {c}" for c in columns), *(f"test: {c}" for c in columns)],
                  rows)


def _part_loss_weights(fields: dict) -> str:
  presence, concentration = (fields[f"part_losses.{name}"]
                             for name in ("presence_per_photo", "concentration"))
  label = f"`presence_per_photo` {presence:g}, `concentration` {concentration:g}"
  return label + " (PDiscoNet's four)" * ((presence, concentration) == (0, 1))


@register("slots_part_losses", ["slots_part_losses"])
def slots_part_losses(results: Results) -> list[str]:
  """configs/slots.py:part_losses, each point on val and test."""
  return slot_sweep_table(results.metric("slots_part_losses", "part_losses.results"),
                          _part_loss_weights, "part-loss weights (300 steps)")


@register("cub_num_slots", ["cub_num_slots"])
def cub_num_slots(results: Results) -> list[str]:
  """configs/cub_slots.py:num_slots, each K on CUB's val split and on test."""
  return slot_sweep_table(results.metric("cub_num_slots", "num_slots.results"),
                          lambda fields: f"K = {fields['model.num_slots']}", "K (300 steps)")


# --- docs/data.md, the input pipeline's throughput (benchmarks/input_pipeline.py --out).
_PIPELINE_RUNS = (("synthetic flora, 64 px", "input_pipeline_flora"),
                  ("CUB, 224 px (JPEG decode + resize)", "input_pipeline_cub"))


@register("input_pipeline", [name for _, name in _PIPELINE_RUNS])
def input_pipeline(results: Results) -> list[str]:
  """Images per second reading the source alone, and through the train pipeline with 0 and 2
  worker processes (with the ratio to the source alone)."""
  rows = []
  for label, name in _PIPELINE_RUNS:
    runs = results.metric(name, "runs")
    cells = [f"{run['images_per_s']:,.0f} img/s" + (f" ({run['vs_source']:.2f}x)"
                                                     if "vs_source" in run else "")
             for run in runs]
    rows.append([f"{label} ([stored]({results.link(name)}))", *cells])
  header = [results.metric(_PIPELINE_RUNS[0][1], "runs")[i]["what"] for i in range(3)]
  return markdown(["data", *header], rows)


# --- docs/language.md, "Trained from text": configs/cub_zeroshot_splits.py trained on the
# attribute table or on the table parsed from the texts, its unseen species named from either
# table's rows (the other table's: `--mode=eval` on the same workdirs, stored per point;
# zeroshot_cub_text_rows holds the attribute-trained sweep of zeroshot_cub evaluated so).
_TEXT_RUNS = (
    ("attribute table", "attribute table", "zeroshot_cub", ""),
    ("attribute table", "parsed from text", "zeroshot_cub_text_rows",
     "eval/text_rows/metrics.json:"),
    ("parsed text", "parsed from text", "zeroshot_cub_text", ""),
    ("parsed text", "attribute table", "zeroshot_cub_text",
     "eval/attribute_rows/metrics.json:"),
)


@register("cub_trained_from_text",
          ["zeroshot_cub", "zeroshot_cub_text_rows", "zeroshot_cub_text"])
def cub_trained_from_text(results: Results) -> list[str]:
  """Zero-shot top-1 among the 5 unseen and H among all 25 (per-class means, each split and
  their mean with its interval); the trained species' test top-1 and the trait AUC against the
  attribute table, which do not depend on the unseen rows, on the rows the model trained with."""
  splits = {name: [point["point"] for point in
                   results.metric(name, "cub_zeroshot_splits.results")]
            for name in ("zeroshot_cub", "zeroshot_cub_text_rows", "zeroshot_cub_text")}
  if len({json.dumps(points) for points in splits.values()}) != 1:
    raise ValueError("results/zeroshot_cub*.json hold other splits than each other")
  rows = []
  for labels, rows_from, name, file in _TEXT_RUNS:
    def per_point(key, name=name, file=file):
      if not file:
        return [point[key] for point in results.metric(name, "cub_zeroshot_splits.results")]
      return results.metric(name, f"per point: {file}{key}")

    unseen = per_point(f"{_SWEEP}unseen_top1")
    trained = ["", ""]
    if not file:
      trained = [mean_cell(per_point("species_top1"), 1),
                 mean_cell(results.metric(name, "per point: trait_auc_table"), 3,
                           as_percent=False)]
    rows.append([f"{labels} ([stored]({results.link(name)}))", rows_from,
                 " / ".join(f"{value * 100:.1f}" for value in unseen),
                 mean_cell(unseen, 1), mean_cell(per_point(f"{_SWEEP}harmonic_mean"), 1),
                 *trained])
  return markdown(["trait labels (BCE)", "unseen species' rows",
                   "zero-shot top-1 among 5, splits 1-5", "mean [95% interval]",
                   "generalised H among 25", "per photo: trained species' test photos among 25",
                   "trait AUC on test photos vs the attribute table"], rows)


@register("slots_flora", ["slots_flora", "blackbox_flora"])
def slots_flora(results: Results) -> list[str]:
  """configs/slots.py against the black box on the flora's test photos: species top-1 (Wilson
  interval), top-5, and the parts against the keypoints."""
  slots = [f"slots, K = 8 (`configs/slots.py`; [stored]({results.link('slots_flora')}))",
           results.share("slots_flora", "species_top1"),
           percent(results.metric("slots_flora", "species_top5")),
           *(show(results.metric("slots_flora", f"parts.{key}")) for key, show in _PART_COLUMNS)]
  blackbox = [f"black box (`configs/blackbox.py`; [stored]({results.link('blackbox_flora')}))",
              results.share("blackbox_flora", "species_top1"),
              percent(results.metric("blackbox_flora", "species_top5")), "-", "-", "-", "-"]
  return markdown(["model", "species top-1 [95% interval]", "top-5", "NMI", "ARI",
                   "keypoint error", "keypoints in background"], [slots, blackbox])


# --- docs/habitats.md, EuroSAT supervised (configs/eurosat.py) and its frozen-feature probe.
@register("eurosat_models", ["eurosat_probe", "eurosat_cbm", "eurosat_blackbox"])
def eurosat_models(results: Results) -> list[str]:
  """Habitat top-1 (Wilson interval), top-5 and characteristic AUC per model on the test
  tiles; the probe's L2 penalty chosen on the val tiles."""
  tiles = results.metric("eurosat_probe", "test_tiles")
  probe_top1 = results.metric("eurosat_probe", "test_top1")
  low, high = intervals.wilson(probe_top1, tiles)
  rows = [[f"logistic probe on the frozen ImageNet features, 128 px (`python "
           f"benchmarks/eurosat_probe.py --steps=0`; L2 "
           f"{results.metric('eurosat_probe', 'l2_chosen_on_val'):g} chosen on val; "
           f"[stored]({results.link('eurosat_probe')}))",
           interval_cell(probe_top1, [low, high]), "-", "-"]]
  for label, name, probe in (("**concept bottleneck** (`configs/eurosat.py`)", "eurosat_cbm", ""),
                             ("black box (`--config.model.mode=blackbox`)", "eurosat_blackbox",
                              " (linear probe)")):
    rows.append([f"{label} ([stored]({results.link(name)}))", results.share(name, "species_top1"),
                 percent(results.metric(name, "species_top5"), 2),
                 fixed(results.metric(name, "trait_auc_table")) + probe])
  return markdown(["model", "habitat top-1 [95% interval]", "top-5",
                   "characteristic AUC against the table"], rows)


@register("eurosat_image_sizes", ["eurosat_image_sizes"])
def eurosat_image_sizes(results: Results) -> list[str]:
  """Per image side: the frozen-feature probe on a sample of tiles (L2 chosen on val, its test
  top-1 with the Wilson interval) and the config's train step, in memory and fed by the input
  pipeline."""
  rows = []
  for line in results.metric("eurosat_image_sizes", "by_size"):
    chosen = f"{line['l2_chosen_on_val']:g}"
    low, high = intervals.wilson(line["test_top1"], line["test_tiles"])
    rows.append([f"{line['image_size']} px", f"{percent(line['val_top1_by_l2'][chosen])} "
                 f"(L2 {chosen})", interval_cell(line["test_top1"], [low, high]),
                 f"{line['step_images_per_s']:.0f}", f"{line['steps_per_s']:.1f}"])
  return markdown(["image side", "probe: val top-1 (L2 chosen on it)", "probe: test top-1",
                   "train step of 32, tiles/s in memory", "fed by the input pipeline, steps/s"],
                  rows)


@register("eurosat_trust", ["eurosat_cbm"])
def eurosat_trust(results: Results) -> list[str]:
  """The trust of configs/eurosat.py on its test tiles: calibration, decisions, conformal sets,
  the oracle intervention and degraded tiles at the strongest degradation."""
  m = lambda key: results.metric("eurosat_cbm", key)
  ks, top1 = m("intervention.k"), m("intervention.species_top1")
  kinds = ("blur", "dark", "partial")

  def degraded(field):
    return " / ".join(percent(m(f"degradation.{kind}.0.75.{field}")) for kind in kinds)

  rows = [
      ["ECE before → after (temperature fitted on val)",
       f"{fixed(m('calibration.ece_before'))} → {fixed(m('calibration.ece_after'))} "
       f"(T = {fixed(m('calibration.temperature'), 2)})"],
      ["decisions at target 95%: declined, accuracy of the rest",
       f"{percent(m('selective.decisions.abstention_rate'))}, "
       f"{percent(m('selective.decisions.selective_accuracy'))}"],
      ["conformal sets at α = 0.05: coverage, mean size",
       f"{percent(m('conformal.coverage'))}, {m('conformal.mean_set_size'):.2f} of 10"],
      ["top-1 with the k least sure characteristics set to the class's row (an oracle: the row "
       "is the label)", ", ".join(f"k = {k}: {percent(value)}" for k, value in zip(ks, top1))],
      ["degraded tiles: top-1 clean, then at strength 0.75 blur / dark / partial",
       f"{percent(m('degradation.none.accuracy'))}; {degraded('accuracy')}"],
      ["degraded tiles at strength 0.75: declined, blur / dark / partial",
       degraded("abstention_rate")],
  ]
  return markdown(["`configs/eurosat.py`, test tiles", ""], rows)
