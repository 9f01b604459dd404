r"""Explains photos with a trained workdir: which species, how sure, whether to trust it, and why
(in traits: where each was seen, what supports and what counts against each top species, why
not the runner-up, which training photos it is nearest to).

  python -m traitjax.explain --workdir=W --out=DIR --images=a.jpg,b.jpg,photos/
  python -m traitjax.explain --workdir=W --out=DIR --split=test --num=20
  python -m traitjax.explain --workdir=W --out=DIR --images=photos/ --species_rows=parsed.csv
  python -m traitjax.explain --workdir=W --out=DIR --plant --images=a.jpg,b.jpg \
      --organs=leaf,bark
  python -m traitjax.explain --workdir=W --out=DIR --plant --split=test --num=4 \
      --photos_per_plant=3

--images        photo files or folders of them, each photo read whole (no box) at the model's
                size; or
--split         photos of a split of the workdir's dataset, as its evaluation reads them
                (`--num` of them, spread over the split).
--species_rows  species rows (CSV, e.g. written by `python -m traitjax.describe`): species not
                in the training table join the candidates, known ones have their rows replaced,
                with no retraining (models whose species head reads rows: table, cosine). The
                added species compete with the trained ones by calibrated stacking, fitted on
                the trust's fit split (`traitjax.open_world`); each is marked "added from a
                description, never trained on photos", and a photo whose traits fit no species
                is declined.
--versus        a species of the table: each photo's explanation also says why its top species
                rather than that one (`versus` in NAME.json).

Writes to --out, per photo, NAME.json (top species with calibrated probabilities and display
names, decision and reason with the evidence behind its trust and its warnings, conformal
species set, every trait's probability, supports / counts_against / not_used / unjudgeable per
top species with contributions and roles, why not the runner-up, the rationale, a one-sentence
description of what the photo shows built from the trait groups it clearly shows, the bar
chart's traits, roles and colours, evidence maps and prototypes) and NAME.png (its figure);
over all photos index.json and index.html (a self-contained gallery). "Supports" and "counts
against" mean one thing in all of them (`traitjax.explanations.roles`). A photo that cannot be
read gets an entry saying why (NAME.json with an `error`, index.json's `errors`) and the others
go on. The library is `traitjax.explain.photos`.

--plant         explain one plant from several photos of it, each of one organ (a dataset whose
                photos name their organ, e.g. the Leafsnap guide, and a model whose species
                head reads the traits): --images are its photos and --organs their organs, in
                the same order (leaf, needle, petiole, flower, fruit, seed, cone, bark, twig); or
                --split draws --num plants of --photos_per_plant photos of one species each,
                organs as different as its photos allow (as the multi_photo evaluator draws).
                Their trait evidence is combined as that evaluator combines it (per trait the
                mean probability of the photos whose organ can show it, the species head read
                once) and explained: per plant NAME.json (the combined species, calibrated;
                the traits for and against each top species with the photos and organs that
                showed them; each photo's organ and the species it gets alone) and NAME.png,
                and index.json and index.html. Library: `traitjax.explain.plants`.
"""

from absl import app
from absl import flags

from traitjax import cli
from traitjax.explain import photos
from traitjax.explain import plants

_WORKDIR = flags.DEFINE_string("workdir", None, "A trained workdir (its newest checkpoint).")
_OUT = flags.DEFINE_string("out", None, "The folder to write the explanations to.")
_IMAGES = flags.DEFINE_list("images", [], "Photo files or folders of them.")
_SPLIT = flags.DEFINE_string("split", "", "Explain photos of this split of the dataset instead.")
_NUM = flags.DEFINE_integer("num", 8, "Photos of --split, spread evenly over it.", lower_bound=1)
_SPECIES_ROWS = flags.DEFINE_string(
    "species_rows", "", "Species rows (CSV) added to, or replacing rows of, the species table.")
_VERSUS = flags.DEFINE_string(
    "versus", "", "A species to contrast each photo's top species with (why not that one).")
_TOP_K = flags.DEFINE_integer("top_k", 5, "Species listed and explained per photo.",
                              lower_bound=1)
_PER_SPECIES = flags.DEFINE_integer(
    "per_species", 8, "Training photos per species searched for prototypes (cached in the "
    "workdir per checkpoint).", lower_bound=1)
_NUM_PROTOTYPES = flags.DEFINE_integer("num_prototypes", 4, "Prototypes shown per photo.",
                                       lower_bound=0)
_PLANT = flags.DEFINE_bool(
    "plant", False, "Explain one plant from several photos of organs of it (see above).")
_ORGANS = flags.DEFINE_list("organs", [], "With --plant --images: each photo's organ, in order.")
_PHOTOS_PER_PLANT = flags.DEFINE_integer(
    "photos_per_plant", 3, "With --plant --split: photos per plant.", lower_bound=1)
flags.mark_flags_as_required(["workdir", "out"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  if _PLANT.value:
    index = plants.explain_plants(_WORKDIR.value, _OUT.value, _IMAGES.value, _ORGANS.value,
                                  _SPLIT.value, _NUM.value, _PHOTOS_PER_PLANT.value,
                                  _TOP_K.value)
    failed = f", {len(index['errors'])} could not be read" if index["errors"] else ""
    print(f"explained {len(index['plants'])} plants{failed}: {_OUT.value}/index.html")
    return
  if _ORGANS.value:
    raise ValueError("--organs names the organs of one plant's photos: give --plant too")
  index = photos.explain(_WORKDIR.value, _OUT.value, _IMAGES.value, _SPLIT.value, _NUM.value,
                         _SPECIES_ROWS.value, _TOP_K.value, _PER_SPECIES.value,
                         _NUM_PROTOTYPES.value, _VERSUS.value)
  failed = f", {len(index['errors'])} could not be read" if index["errors"] else ""
  print(f"explained {len(index['photos'])} photos{failed}: {_OUT.value}/index.html")


if __name__ == "__main__":
  cli.run(main)
