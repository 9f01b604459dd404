"""Pure numpy measurements of gathered predictions: classification, zero-shot, part discovery
and AUC. Nothing here imports a model; `traitjax.evaluators` runs them."""
