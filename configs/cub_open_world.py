r"""python -m traitjax.main --mode=eval --config=configs/cub_open_world.py --workdir=W --config.data.new_root=DIR --config.model.species_rows=CSV

The open world on CUB: the checkpoint in W (`python -m traitjax.main --config=configs/cub.py
--config.model.species_head=cosine --workdir=W`) names every test photo of its species and every
photo of the species under DIR (the official CUB layout, class ids data.root does not hold;
none trained) among all their rows: DIR's attribute rows, with those CSV names replaced (e.g.
parsed from descriptions by `python -m traitjax.describe`; `--config.model.species_rows=` keeps
DIR's). metrics.json (W/eval/cub_open_world/) gets `open_world`: seen and unseen accuracy and
their harmonic mean for the chosen route and for every route (`traitjax.open_world`, fitted on
the val photos of W's species), and `zeroshot`. Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  cub = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "cub.py"))
  config = cub.get_config(arg)
  config_lib.make_open_world_eval(config)
  return config
