r"""python -m traitjax.main --config=configs/blackbox.py --workdir=workdirs/blackbox

The black box beside configs/default.py: the same backbone, data and schedule, species
predicted from the backbone features (the trait head is only a probe). Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  default = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "default.py"))
  config = default.get_config(arg)
  config.model.mode = "blackbox"
  del config.evals["intervention"]  # Its species head reads features: no trait to correct.
  return config
