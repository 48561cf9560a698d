"""scribe-eval: evaluate ambient AI-scribe APIs before every rollout.

The public Python API, for notebooks and scripts (the command line is ``scribe-eval``)::

    from scribe_eval import load_experiment, run_experiment, RunOptions, RunStore, build_report

    outcome = run_experiment(load_experiment("experiments/demo.yaml"), RunOptions(Path("runs")))
    with RunStore(Path("runs")) as store:
        build_report(store, outcome.run, Path("reports/demo"))

    results = load_run(outcome.run.id, runs_dir="runs")   # typed cells; .rows(), .to_dataframe()
``RunStore(runs_dir)`` opens the local SQLite file; ``open_store("postgresql://...", runs_dir)``
opens a team store (``open_store(None, runs_dir)`` follows ``$SCRIBE_EVAL_STORE``).

Names are imported on first use, so ``import scribe_eval`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scribe_eval._version import __version__

if TYPE_CHECKING:
    from scribe_eval.client import AmbientClient
    from scribe_eval.compare import evaluate_gate, load_gate
    from scribe_eval.dataset import load_dataset, validate_dataset
    from scribe_eval.experiment import load_experiment
    from scribe_eval.export import load_run
    from scribe_eval.metrics import rouge, wer
    from scribe_eval.report import build_report
    from scribe_eval.runner import RunOptions, run_experiment
    from scribe_eval.store import RunStore, open_store
    from scribe_eval.templates import load_template_file

_LAZY = {
    "AmbientClient": "scribe_eval.client",
    "RunOptions": "scribe_eval.runner",
    "RunStore": "scribe_eval.store",
    "open_store": "scribe_eval.store",
    "build_report": "scribe_eval.report",
    "evaluate_gate": "scribe_eval.compare",
    "load_dataset": "scribe_eval.dataset",
    "load_experiment": "scribe_eval.experiment",
    "load_gate": "scribe_eval.compare",
    "load_run": "scribe_eval.export",
    "load_template_file": "scribe_eval.templates",
    "rouge": "scribe_eval.metrics",
    "run_experiment": "scribe_eval.runner",
    "validate_dataset": "scribe_eval.dataset",
    "wer": "scribe_eval.metrics",
}

__all__ = [
    "AmbientClient",
    "RunOptions",
    "RunStore",
    "__version__",
    "build_report",
    "evaluate_gate",
    "load_dataset",
    "load_experiment",
    "load_gate",
    "load_run",
    "load_template_file",
    "open_store",
    "rouge",
    "run_experiment",
    "validate_dataset",
    "wer",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'scribe_eval' has no attribute {name!r}")
