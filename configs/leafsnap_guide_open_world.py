r"""python -m traitjax.main --mode=eval --config=configs/leafsnap_guide_open_world.py --workdir=W --config.data.new_root=DIR --config.model.species_rows=CSV

The open world on trees: the checkpoint in W (`python -m traitjax.main
--config=configs/leafsnap_guide.py --workdir=W`, its centred-cosine species head) names every
test photo of its species and every photo under DIR (the guide's layout, `images.csv`: path,
species, organ; species W never trained) among all their rows, the new species' from CSV (e.g.
parsed from their descriptions by `python -m traitjax.describe
--traits=data/traits/leafsnap.txt`). metrics.json (W/eval/leafsnap_guide_open_world/) gets
`open_world`: seen and unseen accuracy and their harmonic mean for the chosen route and for
every route (`traitjax.open_world`, fitted on the val photos of W's species), `zeroshot`, and
the test report by organ. Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  guide = config_lib.load_config_file(os.path.join(os.path.dirname(__file__),
                                                   "leafsnap_guide.py"))
  config = guide.get_config(arg)
  config_lib.make_open_world_eval(config)
  return config
