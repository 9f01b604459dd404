"""Explains photos with a trained workdir and writes what `python -m traitjax.explain` promises:
per photo NAME.json (its explanation record) and NAME.png (`figures.photo_figure`), and over
all photos index.json and index.html (`gallery.page`).

The photos are files (read whole at the model's size: a user's photo has no box) or photos of
a split of the workdir's dataset (as its evaluation reads them, crop included). They pass
through the model in batches of the config's size under one compiled program; a photo that
cannot be read gets its own entry saying why, and the others go on. Probabilities, decisions
and conformal sets come from the workdir's `trust.json` (`traitjax.trust`); a workdir without
one has trust fitted on its config's `trust.fit_split` first. Every decision carries the
evidence behind its trust (`explanations.trust_evidence`: the fit's size, and accuracy,
calibration error and set coverage from the run's metrics.json), with its warnings in the
rationale; what supports and what counts against a species is `explanations.roles`' one
meaning in the text, the JSON, the figure and the gallery.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re

from absl import logging
import jax
import numpy as np

from traitjax import checkpoints
from traitjax import config_lib
from traitjax import evaluators
from traitjax import feature_cache
from traitjax import open_world
from traitjax import sharding
from traitjax import trust
from traitjax import writers
from traitjax.data import images
from traitjax.data import photo_files
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources
from traitjax.evaluators import base
from traitjax.explain import figures
from traitjax.explain import gallery
from traitjax.explanations import maps
from traitjax.explanations import phrasing
from traitjax.explanations import prototypes
from traitjax.explanations import records
from traitjax.explanations import trust_evidence
from traitjax.explanations import wording
from traitjax.metrics import calibration

# The split whose photos are the prototypes.
PROTOTYPE_SPLIT = "train"
THUMBNAIL_SIZE = 96
SHARED_TRAITS = 5
SHOWN_MAPS = figures.COLUMNS - 1
# Names an explained photo may not take (the files written beside them).
RESERVED_NAMES = ("index",)
FIGURE_DPI = 80
# Photos between two progress lines while the explanations are written.
PROGRESS_EVERY = 10


@dataclasses.dataclass(frozen=True)
class Photo:
  """One photo to explain: the name of its files, where it came from (a path, or split and
  index), and its example (schema.py), or None with the reason it could not be read."""

  name: str
  origin: str
  example: dict | None
  error: str = ""
  source: object = None  # What it was read from, and where (a feature cache reads it so).
  index: int = 0


def explain(workdir: str, out: str, photos_from: list[str] | None = None, split: str = "",
            num: int = 8, species_rows: str = "", top_k: int = 5, per_species: int = 8,
            num_prototypes: int = 4, versus: str = "") -> dict:
  """Explains the photos of `photos_from` (files or folders) or `num` photos spread over
  `split`, and writes NAME.json and NAME.png of each and index.json and index.html to `out`.
  Returns the index (what index.json holds).

  Args:
    workdir: a trained workdir (its newest readable checkpoint and the config saved with it).
    out: the folder written (created if needed).
    photos_from: photo files or folders of them; else `split` is read.
    split: a split of the workdir's dataset (e.g. "test").
    num: photos of `split`, spread evenly over it.
    species_rows: a CSV of species rows (`TraitTable.from_csv`, what `traitjax.describe`
      writes): species not in the training table are added, known ones have their rows
      replaced. Only species heads that read the table (table, cosine) can use them.
    top_k: species listed per photo.
    per_species: training photos per species searched for prototypes.
    num_prototypes: prototypes shown per photo.
    versus: a species of the table (its name, or as a person reads it, "Eastern Towhee"): each
      explanation also says why its top species rather than that one.
  """
  if bool(photos_from) == bool(split):
    raise ValueError("give photo files (--images) or a split (--split), one of the two")
  config = checkpoints.saved_config(workdir)
  mesh = sharding.make_mesh()
  task, state, train_source = checkpoints.restore_for_eval(config, workdir, PROTOTYPE_SPLIT,
                                                           mesh)
  table = base.species_table(task, train_source)
  if species_rows:
    task, table = _with_species_rows(task, table, species_rows)
  versus_row = species_row(table, versus) if versus else None
  if photos_from:
    photos = file_photos(photo_files.find(photos_from), train_source)
  else:
    photos = _split_photos(sources.make_source(config.data, split), num)
  readable = [photo for photo in photos if photo.example is not None]
  if not readable:
    raise ValueError(f"none of the {len(photos)} photos could be read (the first: "
                     f"{photos[0].error})")
  os.makedirs(out, exist_ok=True)
  cache = feature_cache.open_for_run(config, workdir, task, state, train_source)
  trusted = load_trust(workdir, config, task, state, table, mesh, cache)
  trained = _trained_rows(task, train_source, table)
  routes = (_open_world_routes(config, task, state, table, trained, trusted, mesh, cache)
            if trusted is not None and not trained.all() else None)
  measured = trust_evidence.read_measures(workdir, config.get("evals", {}))
  predict = jax.jit(functools.partial(task.predict, with_maps=True))
  outputs = predict_examples(predict, state, model_examples(readable, cache),
                             config.input.batch_size, mesh, unit="photo")
  bank = prototypes.load_or_build(
      workdir, int(state.step), per_species,
      lambda: _prototype_bank(predict, state, train_source, per_species,
                              config.input.batch_size, mesh, cache))
  explained = _write_explanations(out, readable, outputs, task, state.params, table,
                                  trusted, bank, top_k, num_prototypes,
                                  config.model.get("trait_phrases", ""),
                                  base.organs_of(train_source), measured,
                                  fit_split_of(config), routes, versus_row)
  entries = []
  for photo in photos:
    if photo.example is None:
      write_json(os.path.join(out, f"{photo.name}.json"),
                  {"name": photo.name, "photo": photo.origin, "error": photo.error})
    entries.append(explained.get(photo.name) or gallery.Entry(photo.name, photo.origin,
                                                              error=photo.error))
  index = {
      "workdir": os.path.abspath(workdir), "step": int(state.step),
      "photos": [{"name": e.name, "photo": e.origin, "species": e.record["species"][0],
                  "decision": e.record["decision"], "reason": e.record["reason"],
                  "trust_evidence": e.record["trust_evidence"],
                  "description": e.record["description"]}
                 for e in entries if not e.error],
      "errors": [{"name": e.name, "photo": e.origin, "error": e.error}
                 for e in entries if e.error]}
  write_json(os.path.join(out, "index.json"), index)
  with open(os.path.join(out, "index.html"), "w") as f:
    f.write(gallery.page(entries, f"Explanations of {len(entries)} photos by {workdir}"))
  return index


def _write_explanations(out: str, photos: list[Photo], outputs: dict, task, params,
                        table: schema.TraitTable, trusted: trust.Trust | None,
                        bank: prototypes.Bank, top_k: int, num_prototypes: int,
                        phrases_path: str, organs: base.Organs | None = None,
                        measured: dict | None = None, fit_split: str = "",
                        routes: open_world.OpenWorld | None = None,
                        versus: int | None = None) -> dict[str, gallery.Entry]:
  """Writes NAME.json and NAME.png of each readable photo from the model's `outputs` on them
  (species_logits, trait_logits, trait_maps), the traits named by their phrases (with the
  overrides of the file `phrases_path`, the model's `trait_phrases`); returns each photo's
  gallery entry by name. With `organs` (a dataset whose photos each show one organ), a photo
  of a known organ is described by the traits that organ can show alone. Each decision carries
  its `trust_evidence`: the trust's fit (on `fit_split`) and the run's `measured` measures
  (`trust_evidence.read_measures`). With `routes` (species added from descriptions compete
  with the trained ones), photos are named by calibrated stacking, a photo whose traits fit
  that species too poorly is declined as fitting none, and every added species is marked
  `added_from_description`."""
  species_logits, trait_logits = outputs["species_logits"], outputs["trait_logits"]
  if routes is not None:
    species_logits = routes.stacked(species_logits)
  trait_phrases = phrasing.read_trait_phrasings(table.traits, phrases_path)
  explained = records.explain_predictions(task, params, species_logits, trait_logits, table,
                                          trust=trusted, top_k=top_k,
                                          trait_phrases=trait_phrases, versus=versus)
  if trusted is None:  # Nothing to decide by: decisions, reasons, sets and evidence are null.
    decisions = reasons = [None] * len(photos)
    prediction_sets = evidences = [None] * len(photos)
    calibrated = calibration.sigmoid
  else:
    scores = trusted.scores(species_logits, trait_logits, table)
    decisions, reasons = (d.tolist() for d in trusted.decide_from_scores(scores))
    if routes is not None:
      declined = routes.declined(np.argmax(species_logits, -1), trait_logits, trusted, table)
      for n in np.flatnonzero(declined):
        decisions[n], reasons[n] = trust.ABSTAIN, open_world.DECLINE_REASON
    unlike = trust_evidence.unlike_fit(scores["compatibility"],
                                       trusted.references["compatibility"])
    evidences = [trust_evidence.of_trust(trusted, fit_split, measured or {},
                                         None if unlike is None else unlike[n])
                 for n in range(len(photos))]
    likeliest_first = np.argsort(-species_logits, axis=-1, kind="stable")
    prediction_sets = [[table.species[k] for k in order if in_set[k]] for order, in_set in
                       zip(likeliest_first, trusted.prediction_sets(species_logits))]
    calibrated = trusted.trait_probabilities
  bank_probabilities = calibrated(bank.trait_logits)
  trait_probabilities = calibrated(trait_logits)
  entries = {}
  progress = writers.Progress(len(photos), 0, unit="photo")
  for n, photo in enumerate(photos):
    if n and n % PROGRESS_EVERY == 0:
      progress.report(n, {})
    predicted = table.species.index(explained[n]["species"][0]["name"])
    nearest = prototypes.nearest(bank_probabilities, bank.species, predicted,
                                 trait_probabilities[n], num_prototypes)
    evidence = [{**item, "map": np.round(item["map"], 4).tolist()} for item in
                maps.cited_evidence(outputs["trait_maps"][n], explained[n], table.traits,
                                    SHOWN_MAPS)]
    decision = wording.decision_sentence(
        decisions[n], reasons[n], prediction_sets[n],
        trusted.target_accuracy if trusted else 0.0, 1 - trusted.alpha if trusted else 0.0,
        trusted.num_fit if trusted else None, fit_split, with_added_species=routes is not None)
    if routes is not None:
      _mark_added_species(explained[n], table, routes.trained)
    warnings = evidences[n]["warnings"] if evidences[n] else []
    organ = photo.example.get(schema.ORGAN) if organs is not None else None
    if organ is not None:
      explained[n]["description"] = wording.description_sentence(
          np.where(organs.shown([organ])[0], trait_probabilities[n], np.nan), table.traits,
          trait_phrases)
    record = {
        "name": photo.name, "photo": photo.origin, **explained[n],
        "rationale": " ".join(filter(None, [explained[n]["rationale"], decision, *warnings])),
        "decision": decisions[n], "reason": reasons[n], "prediction_set": prediction_sets[n],
        "prediction_set_display_names": (None if prediction_sets[n] is None else [
            phrasing.display_name(name) for name in prediction_sets[n]]),
        "trust_evidence": evidences[n],
        "evidence": evidence,
        "prototypes": [_prototype_record(bank, row, distance, trait_probabilities[n],
                                         bank_probabilities[row], table)
                       for row, distance in nearest]}
    bars, bars_title = figures.record_bars(record)
    record["chart"] = figures.chart_record(bars, bars_title)
    write_json(os.path.join(out, f"{photo.name}.json"), record)
    trait = {t["name"]: t for t in record["traits"]}
    evidence_maps = [figures.EvidenceMap(
        figures.trait_label(trait[item["name"]]), np.asarray(item["map"]),
        tuple(item["peak"])) for item in evidence]
    image = photo.example[schema.IMAGE]
    figure_png = _figure_png(image, record, evidence_maps, bank, [row for row, _ in nearest],
                             bars, bars_title)
    with open(os.path.join(out, f"{photo.name}.png"), "wb") as f:
      f.write(figure_png)
    entries[photo.name] = gallery.Entry(photo.name, photo.origin, record,
                                        gallery.png_bytes(image), figure_png)
  return entries


def species_row(table: schema.TraitTable, name: str) -> int:
  """The row of species `name` (as the table has it, or as `schema.species_key` matches it:
  "Eastern Towhee" is "021.Eastern_Towhee"); ValueError naming a few species when none is."""
  keys = [schema.species_key(species) for species in table.species]
  if schema.species_key(name) not in keys:
    shown = ", ".join(phrasing.display_name(species) for species in table.species[:5])
    raise ValueError(f"--versus: no species {name!r} among the {table.num_species} of the "
                     f"table (e.g. {shown})")
  return keys.index(schema.species_key(name))


def _trained_rows(task, train_source, table: schema.TraitTable) -> np.ndarray:
  """bool [S]: the rows of `table` the task trained on photos (the others were added from
  descriptions, `--species_rows`)."""
  trained = np.zeros(table.num_species, bool)
  rows = getattr(task, "trained_species", None)
  trained[np.arange(train_source.trait_table.num_species) if rows is None else rows] = True
  return trained


def _open_world_routes(config, task, state, table: schema.TraitTable, trained: np.ndarray,
                       trusted: trust.Trust, mesh, cache=None) -> open_world.OpenWorld | None:
  """The open-world routes (`open_world.fit`, the budget of the workdir's open_world
  evaluator or `open_world.DEFAULT_BUDGET`) fitted on the trust's fit split, all of photos of
  trained species, against every row of `table`; None (with a warning) without that split."""
  split = fit_split_of(config)
  if split not in sources.splits(config.data):
    logging.warning("no split %r to fit the open-world routes on: species added from "
                    "descriptions compete by their raw scores", split)
    return None
  predictions = evaluators.predict_split(jax.jit(task.predict), state, config.data, split,
                                         config.input.batch_size, mesh, pipeline.HostShard(),
                                         cache=cache)[0]
  budget = config.get("evals", {}).get("open_world", {}).get("budget",
                                                             open_world.DEFAULT_BUDGET)
  return open_world.fit(trusted, predictions, table, trained, budget)


def _mark_added_species(record: dict, table: schema.TraitTable, trained: np.ndarray) -> None:
  """Marks each species of `record` (its list and its explained ones) that was added from a
  description rather than trained on photos."""
  for entry in record["species"] + record["explained_species"]:
    entry["added_from_description"] = not trained[table.species.index(entry["name"])]


def _with_species_rows(task, table: schema.TraitTable, path: str):
  """(task, table) with the rows of the CSV at `path` (`TraitTable.with_species`). Raises
  ValueError for a model whose species head does not read table rows."""
  if getattr(task, "species_table", None) is None:
    raise ValueError(
        "--species_rows: this model's species head has one trained weight row per species "
        "and reads no table rows, so it cannot score species from their rows; train with "
        "--config.model.species_head=table or cosine")
  table = table.with_species(schema.TraitTable.from_csv(path))
  return dataclasses.replace(task, species_table=table.values), table


def unique_name(stem: str, taken: set[str]) -> str:
  """`stem` made a safe file name not in `taken` (a number appended if needed), and taken."""
  name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "photo"
  candidate, number = name, 1
  while candidate in taken or candidate in RESERVED_NAMES:
    number += 1
    candidate = f"{name}_{number}"
  taken.add(candidate)
  return candidate


def file_photos(paths: list[str], source) -> list[Photo]:
  """The photos of `paths`, each read whole at `source`'s image size and as its photos are
  (`pad_to_square`, e.g. the Leafsnap guide's; an unreadable one with its error, logged)."""
  files, photos, taken = photo_files.PhotoFiles(paths, source), [], set()
  for index, path in enumerate(paths):
    name = unique_name(os.path.splitext(os.path.basename(path))[0], taken)
    try:
      photos.append(Photo(name, path, files[index], source=files, index=index))
    except images.ImageDecodeError as e:
      logging.warning("photo not explained: %s", e)
      photos.append(Photo(name, path, None, str(e)))
  return photos


def _split_photos(source, num: int) -> list[Photo]:
  """`num` photos spread evenly over `source` (an unreadable one with its error)."""
  if len(source) == 0:
    raise ValueError(f"split {source.split!r} has no photos")
  indices = np.unique(np.linspace(0, len(source) - 1, min(num, len(source))).astype(int))
  return split_photos(source, indices)


def split_photos(source, indices) -> list[Photo]:
  """The photos `indices` of `source` (an unreadable one with its error)."""
  photos = []
  for index in indices:
    name = f"{source.split}_{index:05d}"
    path_of = getattr(source, "image_path", None)
    origin = path_of(index) if path_of else f"{source.split} photo {index}"
    example = source[int(index)]
    if example[schema.VALID]:
      photos.append(Photo(name, origin, example, source=source, index=int(index)))
    else:
      logging.warning("photo not explained: %s could not be read", origin)
      photos.append(Photo(name, origin, None, f"cannot decode image {origin}"))
  return photos


def model_examples(photos: list[Photo], cache) -> list[dict]:
  """What the model reads of each readable photo: its example, or with a
  `feature_cache.FeatureCache` its feature map (read from the cache) in place of its pixels."""
  if cache is None:
    return [photo.example for photo in photos]
  by_source = {}
  for photo in photos:
    by_source.setdefault(id(photo.source), (photo.source, []))[1].append(photo.index)
  maps = {}
  for source, indices in by_source.values():
    for index, feature_map in zip(indices, cache.feature_maps(source, indices)):
      maps[id(source), index] = feature_map
  return [{**{k: v for k, v in photo.example.items() if k != schema.IMAGE},
           schema.FEATURE_MAP: maps[id(photo.source), photo.index]} for photo in photos]


def predict_examples(predict, state, examples: list[dict], batch_size: int, mesh,
                     unit: str) -> dict[str, np.ndarray]:
  """`predict(params, model_state, batch)` on `examples` in batches of `batch_size` (the last
  padded, so one program serves all), as numpy arrays [len(examples), ...]; progress logged
  per batch, counting `unit`s."""
  progress = writers.Progress(len(examples), 0, unit=unit)
  gathered = []
  for start in range(0, len(examples), batch_size):
    chunk = examples[start:start + batch_size]
    chunk = chunk + [pipeline.padding_like(chunk[0])] * (batch_size - len(chunk))
    batch = pipeline.finish_batch({k: np.stack([e[k] for e in chunk]) for k in chunk[0]})
    outputs = predict(state.params, state.model_state, sharding.global_batch(batch, mesh))
    gathered.append(sharding.to_host(outputs))
    progress.report(min(start + batch_size, len(examples)), {})
  return {k: np.concatenate([g[k] for g in gathered])[:len(examples)] for k in gathered[0]}


def fit_split_of(config) -> str:
  """The split the workdir's trust is fitted on (`load_trust`: "val" for a workdir trained
  before trust was)."""
  return config.trust.fit_split if "trust" in config else "val"


def load_trust(workdir: str, config, task, state, table: schema.TraitTable, mesh,
               cache=None) -> trust.Trust | None:
  """The workdir's trust.json, else (with a warning) trust fitted on `config.trust.fit_split`
  (on "val" for a workdir trained before trust was), else None with a warning: a workdir
  whose data has no split to fit on (CUB without data.val_fraction) has the model's own
  probabilities and no decisions."""
  path = os.path.join(workdir, trust.FILE_NAME)
  if os.path.isfile(path):
    return trust.Trust.load(path)
  if "trust" not in config:
    config = config.copy_and_resolve_references()
    config.trust = config_lib.trust_config(fit_split="val")
  if config.trust.fit_split not in sources.splits(config.data):
    logging.warning("no %s and no split to fit trust on (config.trust.fit_split %r): the "
                    "model's own probabilities, no decisions and no conformal sets", path,
                    config.trust.fit_split)
    return None
  logging.warning("no %s: fitting trust on split %s first", path, config.trust.fit_split)

  def predictions_of(split):
    return evaluators.predict_split(jax.jit(task.predict), state, config.data, split,
                                    config.input.batch_size, mesh, pipeline.HostShard(),
                                    cache=cache)[0]

  return evaluators.fit_trust(config, predictions_of, table)


def _prototype_bank(predict, state, source, per_species: int, batch_size: int,
                    mesh, cache=None) -> prototypes.Bank:
  """One pass of the model over at most `per_species` readable photos of each species of the
  training `source`."""
  chosen = prototypes.chosen_examples(np.asarray(source.labels), per_species)
  photos = [Photo("", "", example, source=source, index=int(i))
            for i, example in ((i, source[int(i)]) for i in chosen) if example[schema.VALID]]
  examples = [photo.example for photo in photos]
  if not examples:
    logging.warning("no training photos: the explanations show no prototypes")
    return prototypes.Bank.empty(source.trait_table.num_traits, THUMBNAIL_SIZE)
  outputs = predict_examples(predict, state, model_examples(photos, cache), batch_size, mesh,
                             unit="training photo")
  path_of = getattr(source, "image_path", None)
  return prototypes.Bank(
      species=np.array([e[schema.SPECIES] for e in examples], np.int32),
      indices=np.array([e[schema.INDEX] for e in examples], np.int32),
      trait_logits=np.asarray(outputs["trait_logits"], np.float32),
      thumbnails=np.stack([prototypes.thumbnail(e[schema.IMAGE], THUMBNAIL_SIZE)
                           for e in examples]),
      paths=tuple(path_of(int(e[schema.INDEX])) if path_of else "" for e in examples))


def _prototype_record(bank: prototypes.Bank, row: int, distance: float,
                      probabilities: np.ndarray, prototype_probabilities: np.ndarray,
                      table: schema.TraitTable) -> dict:
  """A prototype as NAME.json lists it: its species, where it is in the training split (and
  its file where the dataset has files), its distance and the traits it shares with the
  photo."""
  shared = prototypes.shared_traits(probabilities, prototype_probabilities, SHARED_TRAITS)
  species = table.species[bank.species[row]]
  return {"species": species, "display_name": phrasing.display_name(species),
          "split": PROTOTYPE_SPLIT,
          "index": int(bank.indices[row]), "path": bank.paths[row] or None,
          "distance": distance, "shared_traits": [table.traits[t] for t in shared]}


def write_json(path: str, payload: dict) -> None:
  with open(path, "w") as f:
    json.dump(payload, f, indent=1, allow_nan=False)


def _figure_png(image: np.ndarray, record: dict, evidence_maps: list[figures.EvidenceMap],
                bank: prototypes.Bank, prototype_rows: list[int], bars: list[figures.Bar],
                bars_title: str) -> bytes:
  """NAME.png of a record, its bar chart `bars` (`figures.record_bars`, as NAME.json's
  `chart` records them)."""
  phrase = {t["name"]: t["phrase"] for t in record["traits"]}
  top = record["species"][0]
  title = (f"{wording.marked_name(top)} {100 * top['probability']:.0f}%: "
           f"{record['decision'] or 'no decision (no trust fitted)'}"
           + (f" ({record['reason']})" if record["reason"] else ""))
  shown = [figures.Prototype(
      bank.thumbnails[row],
      f"{prototype['display_name']}, {prototype['split']} photo {prototype['index']}; shares "
      + (", ".join(phrase[name] for name in prototype["shared_traits"][:2]) or "no sure trait"))
      for row, prototype in zip(prototype_rows, record["prototypes"])]
  caption = f"Seen: {record['description']}"
  if record["trust_evidence"]:
    caption += "\n" + " ".join([wording.trust_sentence(record["trust_evidence"]),
                                *record["trust_evidence"]["warnings"]])
  return figures.to_png(
      figures.photo_figure(image, title, evidence_maps, bars, bars_title, shown,
                           caption=caption), FIGURE_DPI)
