"""README.md's headline table: one row per capability, each number from a stored result.

A row repeats numbers that its page's tables render (the row's third column links the page).
Two numbers are called a tie where a paired difference's 95% interval holds 0, or, unpaired,
where their 95% intervals overlap.
"""

import numpy as np

from traitjax.metrics import intervals
from traitjax.results import tables
from traitjax.results.tables import Results, fixed, percent

_SWEEP = "zeroshot.zeroshot."  # A zero-shot sweep point's section.
_FLORA = "test+zeroshot.zeroshot."  # The flora run's zero-shot section.
_FLORA_SPECIES = 200  # configs/default.py's species, trained and unseen.
_STACKING = "open_world.routes.calibrated_stacking."  # The open-world configs' route.
# Each zero-shot sweep by its label here: (result file, its sweep's section).
_SWEEPS = {"cub25": ("zeroshot_cub", "cub_zeroshot_splits"),
           "EuroSAT": ("zeroshot_eurosat", "eurosat_zeroshot"),
           "Leafsnap guide": ("zeroshot_leafsnap_guide", "leafsnap_guide_zeroshot")}


def _mean(values: list[float], places: int = 1, as_percent: bool = True,
          bold: bool = False) -> str:
  """A mean over seeds or splits with its 95% interval: "89.6% [89.4, 89.8]", the mean in bold
  with `bold`."""
  mean, interval = tables.mean_parts(values, places, as_percent)
  mean = f"**{mean}**" if bold else mean
  return mean if interval is None else f"{mean} {interval}"


def _bold_share(results: Results, name: str, key: str) -> str:
  """`Results.share` with the share in bold: "**95.3%** [94.4, 96.1]"."""
  share, interval = results.share(name, key).split(" [", 1)
  return f"**{share}** [{interval}"


def _average(values: list[float]) -> float:
  return sum(values) / len(values)


def _plain_mean(values: list[float], places: int = 1) -> str:
  return percent(_average(values), places)


def _sweep(results: Results, data: str, key: str) -> list[float]:
  """`key` at every split of the zero-shot sweep of `data`."""
  name, section = _SWEEPS[data]
  return [point[key] for point in results.metric(name, f"{section}.results")]


def _seeds(results: Results, key: str) -> list[float]:
  """`key` at each seed of configs/cub.py:seeds."""
  return results.metric("cub_seeds", "cub_seeds.over_seeds")[0][key]["values"]


def _overlap(first: tuple[float, float], second: tuple[float, float]) -> bool:
  """Whether two intervals, each (low, high), overlap."""
  return first[0] <= second[1] and second[0] <= first[1]


def _shares_tie(first: tuple[float, int], second: tuple[float, int]) -> bool:
  """Whether two shares, each (share, photos), have overlapping Wilson intervals."""
  return _overlap(intervals.wilson(*first), intervals.wilson(*second))


def _flora(results: Results) -> str:
  cbm, blackbox = "default_flora", "blackbox_flora"
  return (f"joint CBM: species top-1 {results.share(cbm, 'species_top1')}, trait AUC visible "
          f"{fixed(results.metric(cbm, 'trait_auc_visible'))}; black box: "
          f"{results.share(blackbox, 'species_top1')}, "
          f"{fixed(results.metric(blackbox, 'trait_auc_visible'))} (linear probe); "
          f"{results.photos(cbm, 'test'):,} test photos")


def _birds(results: Results) -> str:
  return (f"joint CBM over seeds 0-2: species top-1 {_mean(_seeds(results, 'species_top1'))}, "
          f"top-5 {_plain_mean(_seeds(results, 'species_top5'))}, trait AUC table "
          f"{fixed(_average(_seeds(results, 'trait_auc_table')))} "
          f"({results.photos('cub_seeds', 'test'):,} test photos a seed)")


def _trait_to_species(results: Results) -> str:
  name = "trait_to_species_flora"
  metric = lambda key: results.metric(name, key)
  unseen = metric(f"{_FLORA}num_unseen_species")
  return (f"top-1 {results.share(name, 'species_top1')}; tail bin "
          f"{percent(metric('by_frequency_bin.tail'), 0)} (black box "
          f"{percent(results.metric('blackbox_flora', 'by_frequency_bin.tail'), 0)}); zero-shot "
          f"among the {unseen} unseen (neither their photos nor their rows in training) "
          f"{percent(metric(f'{_FLORA}unseen_top1'))} (chance {percent(1 / unseen)}); among "
          f"all {_FLORA_SPECIES} rows H {percent(metric(f'{_FLORA}harmonic_mean'))}")


def _zeroshot_cub(results: Results) -> str:
  unseen = _mean(_sweep(results, "cub25", f"{_SWEEP}unseen_top1"), bold=True)
  harmonic = _plain_mean(_sweep(results, "cub25", f"{_SWEEP}harmonic_mean"))
  from_text = _mean([point[f"{_SWEEP}unseen_top1"] for point in
                     results.metric("zeroshot_cub_text", "cub_zeroshot_splits.results")])
  return (f"per-class top-1 among the 5 unseen {unseen} (chance 20%); among all 25 rows H "
          f"{harmonic}; trained and named from Wikipedia and GPT-4 text alone {from_text}")


def _open_world(results: Results) -> str:
  def harmonic(data, route="calibrated_stacking"):
    return _sweep(results, data, f"open_world.routes.{route}.harmonic")

  cub = (f"cub25 {_mean(harmonic('cub25'), bold=True)} (plain "
         f"{_plain_mean(harmonic('cub25', 'plain'))}; trained species "
         f"{_plain_mean(_sweep(results, 'cub25', f'{_STACKING}seen_accuracy'))} against "
         f"{_plain_mean(_sweep(results, 'cub25', 'open_world.closed_set_seen_accuracy'))} "
         "alone)")
  others = [f"{data} {_mean(harmonic(data), bold=bold)} (plain "
            f"{_plain_mean(harmonic(data, 'plain'))})"
            for data, bold in (("EuroSAT", True), ("Leafsnap guide", False))]
  flora = percent(results.metric("trait_to_species_flora", f"{_STACKING}harmonic"))
  open_set = lambda key: results.metric("open_set_cub", f"{_STACKING}{key}")
  trained = results.metric("open_set_cub", "open_world.num_seen_species")
  return (f"H of trained and added accuracy: {cub}, {', '.join(others)}; flora {flora} (one "
          f"run); photos of species in neither set declined "
          f"{percent(open_set('unknown_declined'))}, but the added species' too, "
          f"{percent(open_set('unseen_declined'), 0)} (cub25, {trained} trained)")


def _intervention(results: Results) -> str:
  table = results.metric("trait_to_species_flora", "intervention.species_top1")
  graded = results.metric("trait_to_species_graded_flora", "intervention.species_top1")
  traits = results.metric("trait_to_species_flora", "intervention.k")[-1]
  return (f"trait-to-species head {percent(table[0])} to {percent(table[-1])} with all {traits} "
          f"traits corrected; graded table **{percent(graded[-1])}**")


def _trust(results: Results) -> str:
  ece = lambda when: _average(_seeds(results, f"calibration.ece_{when}"))
  coverage = _mean(_seeds(results, "conformal.coverage"), bold=True)
  size = _average(_seeds(results, "conformal.mean_set_size"))
  accuracy = percent(results.metric("cub", "selective.accuracy_at_coverage.0.8"))
  colour = lambda where: results.metric(
      "cub_faithfulness", f"occlusion.by_kind.color.trait_drop_{where}") * 100
  return (f"over seeds 0-2: ECE {fixed(ece('before'))} → "
          f"{_mean(_seeds(results, 'calibration.ece_after'), 3, as_percent=False, bold=True)}, "
          f"conformal coverage {coverage} with {size:.1f} of 25 species; one run: accuracy "
          f"at 80% coverage **{accuracy}**, seen vs unseen AUROC (maximum probability) "
          f"**{fixed(results.metric('cub_unseen', 'selective.ood_auroc.max_probability'))}** "
          f"({results.photos('cub_unseen', 'test')} seen, "
          f"{results.photos('cub_unseen', 'zeroshot')} unseen photos); a cited colour drops "
          f"{colour('part'):.1f} points when its part is hidden, {colour('control'):.1f} when a "
          "square elsewhere is")


def _part_discovery(results: Results) -> str:
  parts = lambda key: fixed(results.metric("slots_flora", f"parts.{key}"))
  return (f"NMI {parts('nmi')}, ARI {parts('ari')}, keypoint error {parts('keypoint_error')}; "
          f"species top-1 {results.share('slots_flora', 'species_top1')} (part-loss weights "
          "chosen on val)")


def _habitats(results: Results) -> str:
  parsed = _sweep(results, "EuroSAT", f"{_SWEEP}unseen_top1")
  hand = [point[f"{_SWEEP}unseen_top1"] for point in
          results.metric("zeroshot_eurosat_hand", "eurosat_zeroshot.results")]
  # grid brings the trainer with it: imported only where a paired interval is needed.
  from traitjax import grid  # pylint: disable=g-import-not-at-top
  low, high = grid.mean_and_interval([h - p for h, p in zip(hand, parsed)])["interval_95"]
  tie = ", a tie" if low <= 0 <= high else ""
  tiles = results.photos("eurosat_cbm", "test")
  top1 = [(results.metric(name, "species_top1"), tiles)
          for name in ("eurosat_cbm", "eurosat_blackbox")]
  supervised = (f"concept bottleneck {_bold_share(results, 'eurosat_cbm', 'species_top1')} "
                f"top-1 (black box "
                f"{percent(top1[1][0])}{', a tie' if _shares_tie(*top1) else ''}), characteristic "
                f"AUC {fixed(results.metric('eurosat_cbm', 'trait_auc_table'))} (probe on frozen "
                f"features {percent(results.metric('eurosat_probe', 'test_top1'))}); ")
  return (f"{supervised}zero-shot among 3 unseen {_mean(parsed, bold=True)} (5 splits; "
          f"hand-filled table "
          f"{_plain_mean(hand)}{tie}; among all 10 rows H "
          f"{_plain_mean(_sweep(results, 'EuroSAT', f'{_SWEEP}harmonic_mean'))}, "
          f"{_plain_mean(_sweep(results, 'EuroSAT', f'{_STACKING}harmonic'))} with calibrated "
          "stacking)")


def _trees(results: Results) -> str:
  cbm, blackbox = "leafsnap_guide_cbm", "leafsnap_guide_blackbox"
  photos = results.photos(cbm, "test")
  single = [(results.metric(name, "species_top1"), photos) for name in (cbm, blackbox)]
  single_tie = ", a tie" if _shares_tie(*single) else ""
  three = results.metric(cbm, "multi_photo")
  pooled = three["by_count"]["3"]["pooled_gated"]
  averaged = three["by_count"]["3"]["mean_ungated"]
  boxed = results.metric(blackbox, "multi_photo")["by_count"]["3"]["mean_ungated"]
  paired = three["by_count"]["3"]["differences"]["pooled_gated_minus_mean_ungated"]["interval"]
  averaging_tie = ", a tie" if paired[0] <= 0 <= paired[1] else ""
  box_tie = ", a tie" if _overlap(pooled["interval"], boxed["interval"]) else ""
  zeroshot = _sweep(results, "Leafsnap guide", f"{_SWEEP}unseen_top1")
  return (f"single photo top-1 {results.share(cbm, 'species_top1')} "
          f"(black box {percent(single[1][0])}{single_tie}); three photos pooled "
          f"{tables.interval_cell(pooled['species_top1'], pooled['interval'])} on "
          f"{three['num_species']} species (averaging: {percent(averaged['species_top1'])}"
          f"{averaging_tie}; the black box: {percent(boxed['species_top1'])}{box_tie}); zero-shot "
          f"among 20 unseen {_mean(zeroshot, bold=True)} (chance 5%, 5 splits)")


def _input_pipeline(results: Results) -> str:
  def rate(name):
    return f"{results.metric(name, 'runs')[-1]['images_per_s']:,.0f} img/s"

  return (f"CUB at 224 px: {rate('input_pipeline_cub')} with 2 workers; synthetic flora: "
          f"{rate('input_pipeline_flora')}")


def _noise_losses(results: Results) -> str:
  from traitjax import grid  # pylint: disable=g-import-not-at-top  (see tables.mean_parts)
  seeds, (flip,), (first, second), values = tables.noise_seed_cells(results)
  visible = {loss: values(loss, flip, "trait_auc_visible") for loss in (first, second)}
  low, high = grid.mean_and_interval(np.subtract(visible[second], visible[first]))["interval_95"]
  verdict = "a tie" if low <= 0 <= high else f"{second} ahead" if low > 0 else f"{first} ahead"
  clean = tables.noise_runs(results, "noise_sweep_flora")
  (clean_seed,) = results.files["noise_sweep_flora"]["seeds"]  # The full sweep's one seed.
  return (f"visible-trait AUC at {flip:.0%} flips of the species table, over seeds "
          f"{seeds[0]}-{seeds[-1]}: {second} {_mean(visible[second], 3, as_percent=False)}, "
          f"{first} {_mean(visible[first], 3, as_percent=False)} ({verdict}, paired by seed); "
          f"clean table, one run: {second} "
          f"{fixed(clean[(0.0, second, clean_seed)]['trait_auc_visible'])}, {first} "
          f"{fixed(clean[(0.0, first, clean_seed)]['trait_auc_visible'])}")


def _descriptions(results: Results) -> str:
  rows = results.metric("describe_cub25", "rows")
  sources = ("wikipedia", "gpt4", "field guide")

  def aucs(variant):
    return " / ".join(f"**{fixed(rows[variant][s]['species_auc'])}**" for s in sources)

  return (f"macro AUC over species, text + prior: "
          f"{aucs('**full**: rules + encoder + name + prior')} (Wikipedia / GPT-4 / field "
          f"guide); text only {aucs('text only: rules + encoder + name, no prior')}")


def _open_vocabulary(results: Results) -> str:
  auc = lambda name: fixed(results.metric(name, "heldout_traits.trait_auc_visible"))
  return (f"held-out traits' visible AUC **{auc('open_vocabulary_flora')}** (linear head "
          f"{auc('heldout_traits_linear_flora')})")


def _feature_cache(results: Results) -> str:
  def seconds(name):
    return [results.metric(name, f"runs.{i}.seconds") for i in range(3)]

  uncached, _, warm = seconds("feature_cache_cub")
  speedup = lambda name: tables.half_up(seconds(name)[0] / seconds(name)[2], 1)
  return (f"warm CUB run **{tables.half_up(uncached / warm, 1)}x** faster than uncached "
          f"({tables.half_up(warm)} s against {tables.half_up(uncached)} s), warm zero-shot "
          f"sweeps {speedup('feature_cache_leafsnap_zeroshot')}x (Leafsnap) and "
          f"{speedup('feature_cache_eurosat_zeroshot')}x (EuroSAT); identical metrics with "
          "augmentation off")


# (capability, headline, page): the table's rows in order.
_ROWS = (
    ("concept bottleneck on synthetic flora (200 species, long tail)", _flora,
     "[training](docs/training.md)"),
    ("birds (CUB, 25 species, bird box)", _birds, "[training](docs/training.md)"),
    ("trait-to-species inference (flora)", _trait_to_species, "[reasoning](docs/reasoning.md)"),
    ("zero-shot CUB from species rows (inductive, 5 splits of 20/5)", _zeroshot_cub,
     "[reasoning](docs/reasoning.md)"),
    ("open world: added species compete with trained ones (calibrated stacking, its constant "
     "fitted on trained species' val photos; 5 splits each)", _open_world,
     "[reasoning](docs/reasoning.md)"),
    ("test-time intervention (flora, each photo's own visible traits; no oracle)",
     _intervention, "[reasoning](docs/reasoning.md)"),
    ("trust on cub25", _trust, "[trust](docs/trust.md)"),
    ("part discovery, slot attention (flora, K = 8)", _part_discovery,
     "[discovery](docs/discovery.md)"),
    ("habitats from space (EuroSAT)", _habitats, "[habitats](docs/habitats.md)"),
    ("trees by their organs (Leafsnap guide, 150 species)", _trees, "[plants](docs/plants.md)"),
    ("descriptions to trait tables (cub25)", _descriptions, "[language](docs/language.md)"),
    ("open-vocabulary trait head (flora)", _open_vocabulary, "[language](docs/language.md)"),
    ("noise-robust trait loss (flora, 20% of the table's cells missing)", _noise_losses,
     "[reasoning](docs/reasoning.md)"),
    ("frozen-backbone feature cache", _feature_cache, "[training](docs/training.md)"),
    ("input pipeline", _input_pipeline, "[data](docs/data.md)"),
)


@tables.register("readme_headlines", [
    "default_flora", "blackbox_flora", "cub_seeds", "trait_to_species_flora", "zeroshot_cub_text",
    "trait_to_species_graded_flora", "zeroshot_cub", "zeroshot_eurosat", "zeroshot_eurosat_hand",
    "zeroshot_leafsnap_guide", "open_set_cub", "cub", "cub_unseen", "cub_faithfulness",
    "slots_flora",
    "leafsnap_guide_cbm", "leafsnap_guide_blackbox", "describe_cub25", "open_vocabulary_flora",
    "heldout_traits_linear_flora", "feature_cache_cub", "feature_cache_leafsnap_zeroshot",
    "feature_cache_eurosat_zeroshot", "eurosat_cbm", "eurosat_blackbox", "eurosat_probe",
    "input_pipeline_flora",
    "input_pipeline_cub", "noise_sweep_flora", "noise_sweep_seeds_flora"])
def readme_headlines(results: Results) -> list[str]:
  return tables.markdown(["capability", "headline", "full table and command"],
                         [[capability, headline(results), page]
                          for capability, headline, page in _ROWS])
