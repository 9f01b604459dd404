"""Evaluation protocols chosen by config (`config.evals`): the registry finds each type by its
name (`registry`), the runner runs them on a train state (`runner`), and each type is one module
here defining `Evaluator` (`base`)."""

from traitjax.evaluators.registry import applicable
from traitjax.evaluators.registry import check_splits
from traitjax.evaluators.registry import from_config
from traitjax.evaluators.runner import evaluate
from traitjax.evaluators.runner import Evaluation
from traitjax.evaluators.runner import fit_trust
from traitjax.evaluators.runner import predict_source
from traitjax.evaluators.runner import predict_split

__all__ = ["applicable", "check_splits", "evaluate", "Evaluation", "fit_trust", "from_config",
           "predict_source", "predict_split"]
