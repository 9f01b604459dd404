r"""python -m traitjax.main --mode=eval --config=configs/eurosat_open_world.py --workdir=W --config.data.new_root=DIR --config.model.species_rows=CSV

The open world on satellite tiles: the checkpoint in W (`python -m traitjax.main
--config=configs/eurosat.py --config.model.species_head=cosine --workdir=W`) names every test
tile of its classes and every tile under DIR (EuroSAT's layout, a folder per class; classes W
never trained) among all their rows, the new classes' from CSV (e.g. parsed from descriptions
by `python -m traitjax.describe --traits=data/traits/eurosat.txt`). metrics.json
(W/eval/eurosat_open_world/) gets `open_world`: seen and unseen accuracy and their harmonic
mean for the chosen route and for every route (`traitjax.open_world`, fitted on the val tiles
of W's classes), and `zeroshot`. Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  eurosat = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "eurosat.py"))
  config = eurosat.get_config(arg)
  config_lib.make_open_world_eval(config)
  return config
