r"""python -m traitjax.main --config=configs/open_vocabulary.py --workdir=workdirs/open_vocabulary

configs/default.py with the open-vocabulary trait head: trait logits are the scaled cosine
between a learned projection of the image features and the frozen all-MiniLM-L6-v2 embeddings
of the trait phrases ("yellow petals", made from the trait names, or from
`--config.model.trait_phrases=FILE`). 20% of the traits (chosen by `config.seed`) never train;
metrics.json reports the trait AUCs of the held-out and the trained traits apart
(`heldout_traits`, `trained_traits`). The linear head on the same split:
`--config=configs/default.py --config.model.heldout_trait_fraction=0.2`. Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  default = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "default.py"))
  config = default.get_config(arg)
  config.model.trait_head = "phrases"
  config.model.heldout_trait_fraction = 0.2
  return config
