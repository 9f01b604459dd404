r"""Input-pipeline throughput: one JSON line per measurement.

  python benchmarks/input_pipeline.py --config=configs/default.py
  python benchmarks/input_pipeline.py --config=configs/cub.py --config.data.root=PATH \
      --out=input_pipeline_cub.json

Measures, in one process: reading the source alone on one core (the baseline), then the full
train pipeline (shuffle, augment, batch, float conversion) with 0 and with `--workers` worker
processes; prints images/s and the ratio to the baseline, and with `--out` writes them as one
JSON file (`runs`), what `python -m traitjax.results --store` reads.
"""

import json
import time

from absl import flags
from ml_collections import config_flags

from traitjax import cli
from traitjax.data import pipeline
from traitjax.data import sources

_CONFIG = config_flags.DEFINE_config_file("config", None, "Dataset config.")
_IMAGES = flags.DEFINE_integer("images", 2048, "Images per measurement.", lower_bound=1)
_WORKERS = flags.DEFINE_integer("workers", 2, "Worker processes for the parallel run.",
                                lower_bound=1)
_OUT = flags.DEFINE_string("out", "", "Also write the measurements to this JSON file.")
flags.mark_flags_as_required(["config"])


def _rate(batches, batch_size: int, images: int) -> float:
  next(batches)  # warm-up: worker start, first batch
  steps = max(1, images // batch_size)
  start = time.perf_counter()
  for _ in range(steps):
    next(batches)
  return steps * batch_size / (time.perf_counter() - start)


def main(argv):
  del argv
  config = _CONFIG.value
  source = sources.make_source(config.data, "train")
  base = {"dataset": config.data.name, "image_size": source.image_size}
  count = min(_IMAGES.value, len(source))
  start = time.perf_counter()
  for i in range(count):
    source[i * 7919 % len(source)]
  baseline = count / (time.perf_counter() - start)
  runs = [{"what": "source, 1 process", "images_per_s": round(baseline, 1)}]
  print(json.dumps({**base, **runs[-1]}))
  batch_size = config.input.batch_size
  for workers in (0, _WORKERS.value):
    dataset = pipeline.train_dataset(source, batch_size, config.seed, num_workers=workers)
    batches = iter(dataset)
    rate = _rate(batches, batch_size, _IMAGES.value)
    batches.close()
    runs.append({"what": f"train pipeline, {workers} workers", "images_per_s": round(rate, 1),
                 "vs_source": round(rate / baseline, 2)})
    print(json.dumps({**base, **runs[-1]}))
  if _OUT.value:
    with open(_OUT.value, "w") as out:
      json.dump({**base, "images": count, "runs": runs}, out, indent=1)


if __name__ == "__main__":
  cli.run(main)
