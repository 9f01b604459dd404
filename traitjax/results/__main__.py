r"""Renders every marked docs table from the stored results, checks them, or stores a run's numbers.

  python -m traitjax.results            # rewrites every marked table of README.md, docs/*.md
  python -m traitjax.results --check    # rewrites nothing: exit 1 at the first table that
                                        # differs from what its results render, else 0
  python -m traitjax.results --store=default_flora --from=workdirs/default/metrics.json \
      --keys=species_top1,by_frequency_bin.tail \
      --command="python -m traitjax.main --config=configs/default.py --workdir=W" [--seeds=0] \
      [--photos=test=1600]
  python -m traitjax.results --store=zeroshot_cub --from=workdirs/sweep/metrics.json \
      --keys=cub_zeroshot_splits.results --per_point=trait_auc_table \
      --per_point_photos=test=num_examples --command="python -m traitjax.sweep ..."

A page marks a table with `<!-- results: NAME -->` on the line before it and `<!-- /results -->`
on the line after; `traitjax/results/tables.py` registers the renderer of each NAME and the
result files (results/<file>.json) it reads. A name with no renderer, or a result file that is
missing, is a one-line error (exit 2). `--store` writes results/NAME.json with the values of the
dotted keys of a metrics.json (or a benchmark's output), the command, the checkout's commit and
whether it had changes; the tables that read it then show them on the next rewrite.
"""

import re

from absl import app
from absl import flags

from traitjax import cli
from traitjax import paths
from traitjax.results import pages
from traitjax.results import stored
from traitjax.results import tables

_CHECK = flags.DEFINE_bool("check", False, "Rewrite nothing; exit 1 at the first table that "
                           "differs from what its results render.")
_ROOT = flags.DEFINE_string("root", str(paths.REPO),
                            "The checkout: README.md, docs/*.md and results/ under it.")
_STORE = flags.DEFINE_string("store", None, "Write results/STORE.json from --from and --keys.")
_FROM = flags.DEFINE_string("from", None, "With --store: the metrics.json to pick from.")
_KEYS = flags.DEFINE_list("keys", None, "With --store: the dotted keys to store (a.b,c.d).")
_COMMAND = flags.DEFINE_string("command", None, "With --store: the command that ran.")
_SEEDS = flags.DEFINE_list("seeds", [], "With --store: the seeds the numbers rest on.")
_PHOTOS = flags.DEFINE_list("photos", [], "With --store: photos per split, e.g. test=1600.")
_PER_POINT = flags.DEFINE_list(
    "per_point", [], "With --store of a sweep: keys of each point's own metrics.json to store "
    "as one list (per point: KEY); FILE:KEY reads FILE in each point's workdir instead, e.g. "
    "eval/NAME/metrics.json:KEY.")
_PER_POINT_PHOTOS = flags.DEFINE_list(
    "per_point_photos", [], "With --store of a sweep: SPLIT=KEY, the photos of each point "
    "(e.g. test=num_examples).")
flags.register_validator("seeds", lambda seeds: all(re.fullmatch(r"-?\d+", s) for s in seeds),
                         "--seeds: comma-separated integers")
flags.register_validator(
    "photos", lambda photos: all(re.fullmatch(r"[\w+.-]+=\d+", p) for p in photos),
    "--photos: comma-separated SPLIT=COUNT")
flags.register_validator(
    "per_point_photos", lambda items: all(re.fullmatch(r"[\w+.-]+=[\w+.:-]+", p) for p in items),
    "--per_point_photos: comma-separated SPLIT=KEY")


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  if _STORE.value is None:
    stray = [f"--{flag.name}" for flag in (_FROM, _KEYS, _COMMAND, _PER_POINT,
                                            _PER_POINT_PHOTOS) if flag.present]
    if stray:
      raise app.UsageError(f"{', '.join(stray)} go with --store")
    print(pages.check(_ROOT.value) if _CHECK.value else pages.rewrite(_ROOT.value))
    return
  missing = [f"--{flag.name}" for flag in (_FROM, _KEYS, _COMMAND) if flag.value is None]
  if missing or _CHECK.value:
    raise app.UsageError(f"--store needs {', '.join(missing)}" if missing
                         else "--store and --check do not go together")
  path = stored.store(_ROOT.value, _STORE.value, _FROM.value, _KEYS.value, _COMMAND.value,
                      seeds=[int(seed) for seed in _SEEDS.value],
                      photos={split: int(count) for split, count in
                              (photo.split("=") for photo in _PHOTOS.value)},
                      per_point=_PER_POINT.value,
                      per_point_photos=dict(item.split("=", 1)
                                            for item in _PER_POINT_PHOTOS.value))
  readers = [name for name, table in tables.TABLES.items() if _STORE.value in table.files]
  print(f"wrote {path}: {len(_KEYS.value)} metrics; read by "
        + (f"tables {', '.join(readers)}" if readers else "no table yet"))


if __name__ == "__main__":
  cli.run(main)
