"""Pure numpy measurements of gathered predictions: classification, zero-shot, part discovery,
AUC, and trust (calibration, selective prediction, conformal sets). Nothing here imports a
model; `traitjax.evaluators` runs them."""
