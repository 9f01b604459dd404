"""Explains one plant from several photos of it, each of one organ (a leaf, its bark, a fruit):
what `python -m traitjax.explain --plant` writes. Per plant NAME.json (its record) and NAME.png
(`figures.plant_figure`), and over all plants index.json and index.html (`gallery.page`).

The photos' trait evidence is combined as the `multi_photo` evaluator combines it
(`metrics.multi_photo.trait_evidence_logits`): per trait, the mean probability over the photos
whose organ can show it, read once by the species head with the traits no photo can show as no
evidence. The record then says what `records.explain_probabilities` says of one photo, on the
combined vector: the top species (calibrated by the workdir's trust temperature where it has
one, as `single_photos.explain` reads it), and for each the traits that support and count
against it (`explanations.roles`) with their exact contributions to the head on the combined
evidence. Every trait names the
photos (organs) that showed it, with each photo's own probability; every photo names the
species it gets alone (the same combination of that photo alone), so a reader sees which
single-photo answers the combination overrules.

No decision or conformal set: the trust's threshold and sets were fitted on single photos. The
record still carries the evidence behind the trust that calibrates its probabilities
(`trust_evidence`, without the per-photo `unlike_fit`: the fit's photos are single photos).

Plants are the photos of files (their organs given) or drawn from a split: `num` plants of
`photos_per_plant` photos of one species each, organs as different as the species' photos
allow, by the evaluator's own drawing (`metrics.multi_photo.draw_queries`), spread over the
split's species.
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Sequence

import jax
import numpy as np

from traitjax import checkpoints
from traitjax import feature_cache
from traitjax import sharding
from traitjax import trust
from traitjax.data import organs as plant_organs
from traitjax.data import photo_files
from traitjax.data import schema
from traitjax.data import sources
from traitjax.evaluators import base
from traitjax.evaluators import multi_photo as multi_photo_evaluator
from traitjax.explain import figures
from traitjax.explain import gallery
from traitjax.explain import photos as single_photos
from traitjax.explanations import phrasing
from traitjax.explanations import records
from traitjax.explanations import roles
from traitjax.explanations import trust_evidence
from traitjax.explanations import wording
from traitjax.metrics import calibration
from traitjax.metrics import classification
from traitjax.metrics import multi_photo
from traitjax.models import cbm

NO_ORGANS = "--plant needs a dataset whose photos name their organ"
# The traits drawn for the top species in the figure (those that support or count against it).
FIGURE_TRAITS = 8


@dataclasses.dataclass(frozen=True)
class Plant:
  """One plant to explain: the name of its files, its photos (each example with its organ,
  `schema.ORGAN`), and its species where known (a split's plant)."""

  name: str
  photos: list[single_photos.Photo]
  species: str = ""


def explain_plants(workdir: str, out: str, photos_from: Sequence[str] | None = None,
                   organs: Sequence[str] | None = None, split: str = "", num: int = 4,
                   photos_per_plant: int = 3, top_k: int = 5, seed: int = 0) -> dict:
  """Explains one plant from the photo files `photos_from` (their `organs`, by name, in the
  same order), or `num` plants drawn from `split`, and writes NAME.json and NAME.png of each
  and index.json and index.html to `out`. Returns the index (what index.json holds).

  Raises ValueError (one line) for organs that do not match the photos, a dataset whose photos
  name no organ, or a model whose species head does not read the traits.
  """
  if bool(photos_from) == bool(split):
    raise ValueError("give the photos of one plant (--images with --organs) or a split "
                     "(--split), one of the two")
  if photos_per_plant < 1:
    raise ValueError(f"--photos_per_plant must be >= 1, got {photos_per_plant}")
  paths = photo_files.find(list(photos_from)) if photos_from else []
  if photos_from and len(organs or ()) != len(paths):
    raise ValueError(f"--organs: {len(organs or ())} organs for {len(paths)} photos; give one "
                     f"organ per photo, in the order of --images")
  config = checkpoints.saved_config(workdir)
  mesh = sharding.make_mesh()
  task, state, train_source = checkpoints.restore_for_eval(config, workdir,
                                                           single_photos.PROTOTYPE_SPLIT, mesh)
  organ_set = base.organs_of(train_source)
  if organ_set is None:
    raise ValueError(f"{NO_ORGANS} (e.g. the Leafsnap guide); {config.data.name} photos "
                     f"name none")
  if not getattr(task, "species_reads_traits", False):
    raise ValueError("--plant combines the photos' trait evidence for the species head: it "
                     "needs a model whose species head reads the traits, not the black box")
  table = base.species_table(task, train_source)
  if photos_from:
    plants = [_file_plant(paths, organs, organ_set, train_source)]
  else:
    plants = _split_plants(sources.make_source(config.data, split), num, photos_per_plant,
                           seed)
  os.makedirs(out, exist_ok=True)
  readable = [photo for plant in plants for photo in plant.photos if photo.example is not None]
  entries = {}
  if readable:
    cache = feature_cache.open_for_run(config, workdir, task, state, train_source)
    trusted = single_photos.load_trust(workdir, config, task, state, table, mesh, cache)
    trust_found = None if trusted is None else trust_evidence.of_trust(
        trusted, single_photos.fit_split_of(config),
        trust_evidence.read_measures(workdir, config.get("evals", {})), with_unlike=False)
    outputs = single_photos.predict_examples(
        jax.jit(task.predict), state, single_photos.model_examples(readable, cache),
        config.input.batch_size, mesh, unit="photo")
    row = {id(photo): n for n, photo in enumerate(readable)}
    for plant in plants:
      read = [photo for photo in plant.photos if photo.example is not None]
      if not read:
        continue
      record = explain_plant(task, state.params, table, organ_set, trusted,
                             outputs["trait_logits"][[row[id(photo)] for photo in read]],
                             read, top_k, config.model.get("trait_phrases", ""))
      record = {"name": plant.name,
                **({"true_species": plant.species,
                    "true_species_display_name": phrasing.display_name(plant.species)}
                   if plant.species else {}), **record,
                "rationale": " ".join([record["rationale"],
                                       *(trust_found["warnings"] if trust_found else [])]),
                "trust_evidence": trust_found,
                "unread": [{"photo": p.origin, "error": p.error} for p in plant.photos
                           if p.example is None]}
      photos = [p.example[schema.IMAGE] for p in read]
      parts = plant_figure_parts(photos, record)
      record["chart"] = figures.chart_record(parts[3], f"Traits judged for {parts[4]}")
      single_photos.write_json(os.path.join(out, f"{plant.name}.json"), record)
      figure_png = figures.to_png(figures.plant_figure(*parts), single_photos.FIGURE_DPI)
      with open(os.path.join(out, f"{plant.name}.png"), "wb") as f:
        f.write(figure_png)
      entries[plant.name] = gallery.Entry(plant.name, _origin(plant), record,
                                          gallery.png_bytes(_strip(photos)), figure_png)
  all_entries = []
  for plant in plants:
    if plant.name not in entries:
      error = "; ".join(p.error for p in plant.photos) or "no photo"
      single_photos.write_json(os.path.join(out, f"{plant.name}.json"),
                        {"name": plant.name, "photos": [p.origin for p in plant.photos],
                         "error": error})
      all_entries.append(gallery.Entry(plant.name, _origin(plant), error=error))
    else:
      all_entries.append(entries[plant.name])
  index = {
      "workdir": os.path.abspath(workdir), "step": int(state.step),
      "plants": [{"name": e.name, "photos": [p["photo"] for p in e.record["photos"]],
                  "organs": [p["organ"] for p in e.record["photos"]],
                  "species": e.record["species"][0],
                  **({"true_species": e.record["true_species"]}
                     if "true_species" in e.record else {}),
                  "description": e.record["description"],
                  "trust_evidence": e.record["trust_evidence"]}
                 for e in all_entries if not e.error],
      "errors": [{"name": e.name, "photo": e.origin, "error": e.error}
                 for e in all_entries if e.error]}
  single_photos.write_json(os.path.join(out, "index.json"), index)
  with open(os.path.join(out, "index.html"), "w") as f:
    f.write(gallery.page(all_entries, f"Explanations of {len(all_entries)} plants by {workdir}"))
  return index


def explain_plant(task, params, table: schema.TraitTable, organs: base.Organs,
                  trusted: trust.Trust | None, trait_logits: np.ndarray,
                  photos: Sequence[single_photos.Photo], top_k: int = 5,
                  phrases_path: str = "") -> dict:
  """The record of one plant from its photos' trait logits [n, T] (`photos` in the same order,
  each example with its organ): the combined species and traits (`records` keys), the photos
  with their organs and their own top species, and per trait the photos that showed it."""
  photo_organs = np.array([p.example[schema.ORGAN] for p in photos], np.int64)
  shown = organs.shown(photo_organs)  # [n, T]
  raw = calibration.sigmoid(np.asarray(trait_logits, np.float64))
  calibrated = raw if trusted is None else np.asarray(
      trusted.trait_probabilities(trait_logits), np.float64)
  head = multi_photo_evaluator.species_head_of(task, params)
  plant = np.arange(len(photos))[None]  # One query: every photo.
  alone = np.arange(len(photos))[:, None]  # Each photo by itself.
  species_logits = multi_photo.trait_evidence_logits(raw, shown, plant, head)
  single_logits = multi_photo.trait_evidence_logits(raw, shown, alone, head)
  evidence, any_shown = multi_photo.trait_evidence(raw, shown, plant)
  combined, _ = multi_photo.trait_evidence(calibrated, shown, plant)
  # What the head read: no evidence where no photo shows the trait.
  head_input = np.where(any_shown, evidence,
                        np.asarray(cbm.no_evidence(task.model, params, table.num_traits)))
  probabilities = (calibration.softmax if trusted is None
                   else trusted.species_probabilities)
  trait_phrases = phrasing.read_trait_phrasings(table.traits, phrases_path)
  (record,) = records.explain_probabilities(
      task, params, probabilities(species_logits), combined, head_input, table, top_k=top_k,
      trait_phrases=trait_phrases)
  single_p = np.asarray(probabilities(single_logits), np.float64)
  names = organs.names
  shown_by = [[{"photo": n, "organ": names[photo_organs[n]],
                "probability": float(calibrated[n, t])}
               for n in range(len(photos)) if shown[n, t]] for t in range(table.num_traits)]
  position = {name: t for t, name in enumerate(table.traits)}

  def with_photos(item):
    return {**item, "shown_by": shown_by[position[item["name"]]]}

  record = classification.nans_to_none(record)  # NaN: no photo showed the trait.
  record["traits"] = [with_photos(t) for t in record["traits"]]
  for explained in record["explained_species"]:
    for key in ("supports", "counts_against", "not_used", "unjudgeable"):
      explained[key] = [with_photos(item) for item in explained[key]]
  record["runner_up"] = [with_photos(item) for item in record["runner_up"]]
  record["cited_from"] = {name: sorted({s["organ"] for s in shown_by[position[name]]})
                          for name in record["cited"]}
  record["photos"] = [
      {"photo": photo.origin, "organ": names[photo_organs[n]],
       "alone": {"name": table.species[int(np.argmax(single_p[n]))],
                 "display_name": phrasing.display_name(
                     table.species[int(np.argmax(single_p[n]))]),
                 "probability": float(single_p[n].max())}}
      for n, photo in enumerate(photos)]
  record["combination"] = ("trait_evidence: per trait the mean probability over the photos "
                           "whose organ can show it; the species head read once, the traits "
                           "no photo shows as no evidence")
  return record


def _file_plant(paths: Sequence[str], organ_names: Sequence[str], organs: base.Organs,
                source) -> Plant:
  """The plant of the photo files `paths`, of the organs named `organ_names`."""
  known = [name for name in organs.names if name != plant_organs.OTHER]
  numbers = []
  for name in organ_names:
    if name.strip().lower() not in known:
      raise ValueError(f"--organs: unknown organ {name!r}; known: {', '.join(known)}")
    numbers.append(organs.names.index(name.strip().lower()))
  photos = single_photos.file_photos(list(paths), source)
  photos = [dataclasses.replace(photo, example={**photo.example,
                                                schema.ORGAN: np.int32(number)})
            if photo.example is not None else photo
            for photo, number in zip(photos, numbers)]
  return Plant("plant", photos)


def _split_plants(source, num: int, photos_per_plant: int, seed: int) -> list[Plant]:
  """`num` plants of `photos_per_plant` photos each from `source`, drawn as the multi_photo
  evaluator draws its queries (`multi_photo.draw_queries`), spread evenly over them."""
  labels, organs = np.asarray(source.labels), np.asarray(source.organs)
  counts = np.bincount(labels)
  eligible = int(np.sum(counts >= photos_per_plant))
  if eligible == 0:
    raise ValueError(f"split {source.split!r}: no species has {photos_per_plant} photos "
                     f"(--photos_per_plant)")
  queries, species, _ = multi_photo.draw_queries(labels, organs, photos_per_plant,
                                                 math.ceil(num / eligible), seed)
  # Each species' first query, then each one's second...; a set of photos drawn twice once.
  depth = np.concatenate([np.arange(c) for c in np.unique(species, return_counts=True)[1]])
  chosen, seen = [], set()
  for q in np.argsort(depth, kind="stable"):
    if frozenset(queries[q]) not in seen and len(chosen) < num:
      seen.add(frozenset(queries[q]))
      chosen.append(q)
  plants, taken = [], set()
  for query, label in zip(queries[chosen], species[chosen]):
    name = single_photos.unique_name(f"{source.split}_plant_{source.trait_table.species[label]}",
                              taken)
    photos = single_photos.split_photos(source, query)
    plants.append(Plant(name, photos, source.trait_table.species[label]))
  return plants


def _origin(plant: Plant) -> str:
  return ", ".join(photo.origin for photo in plant.photos)


def _strip(images: list[np.ndarray]) -> np.ndarray:
  """The photos side by side (cut to the smallest height)."""
  height = min(image.shape[0] for image in images)
  return np.concatenate([image[:height] for image in images], axis=1)


def plant_figure_parts(images: list[np.ndarray], record: dict):
  """The arguments of `figures.plant_figure` for a plant record: its photos, title, species
  bars and trait bars (each trait in its role in the record) and the top species' name."""
  top = record["explained_species"][0]
  top_name = wording.display_name(top)
  photos = [figures.PlantPhoto(
      image, photo["organ"],
      f"alone: {wording.display_name(photo['alone'])} "
      f"{100 * photo['alone']['probability']:.0f}%",
      photo["alone"]["name"] == top["name"])
      for image, photo in zip(images, record["photos"])]
  species = [figures.Bar(wording.display_name(s), s["probability"],
                         roles.SUPPORTS if s["name"] == top["name"] else roles.NOT_USED)
             for s in record["species"]]
  judged = sorted(top["supports"] + top["counts_against"],
                  key=lambda item: -abs(item["contribution"]))[:FIGURE_TRAITS]
  # Each trait as the text states it (absent where the photos lack it) and how sure they are.
  stated = {trait["name"]: trait for trait in record["traits"]}
  traits = [figures.Bar(
      f"{wording.stated(stated[item['name']])} "
      f"({', '.join(sorted({s['organ'] for s in item['shown_by']}))})",
      wording.stated_probability(stated[item["name"]]), item["role"], item["name"])
      for item in judged]
  truth = (f"; true species {phrasing.display_name(record['true_species'])}"
           if record.get("true_species") else "")
  title = (f"{top_name} {100 * top['probability']:.0f}% from {len(images)} photos "
           f"combined{truth}")
  return photos, title, species, traits, top_name
