"""Checks made before a run starts, so that a typo costs no API call and no failed cell."""

from __future__ import annotations

from scribe_eval._suggest import closest
from scribe_eval.dataset import Dataset
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import (
    EmbeddedTarget,
    Experiment,
    TemplateChoice,
    UrlTarget,
    field_location,
    unknown_stored_template,
)
from scribe_eval.runner._score import builtin_catalogue_once
from scribe_eval.runner._target import url_client_settings
from scribe_eval.templates import validate_template_file


def check_before_run(
    experiment: Experiment, dataset: Dataset, templates: list[TemplateChoice]
) -> None:
    """Refuse an experiment whose templates or reference note types cannot work.

    Every template's ``reference`` must be a note type of the dataset. For the embedded target,
    whose catalogue is known, stored keys and template files are checked against it too (a real
    API may have organisation templates no snapshot lists, so URL targets are not checked). For
    a URL target the credentials it names must be set, and client credentials must have a token
    URL the user named (a secret never leaves for a host the user did not point at).

    Raises:
        ConfigError: One line per problem, each with the fix.
    """
    problems = []
    if isinstance(experiment.target, EmbeddedTarget):
        problems += _catalogue_problems(experiment, templates)
    problems += _reference_problems(experiment, dataset, templates)
    if isinstance(experiment.target, UrlTarget):
        problems += _credential_problems(experiment)
    if problems:
        source = experiment.path.name if experiment.path else ""
        raise ConfigError.of_problems("experiment", problems, source=source)


def _credential_problems(experiment: Experiment) -> list[str]:
    assert isinstance(experiment.target, UrlTarget)
    try:
        url_client_settings(experiment.target, experiment.execution).build_auth()
    except ConfigError as exc:
        return [exc.message]
    return []


def _reference_problems(
    experiment: Experiment, dataset: Dataset, templates: list[TemplateChoice]
) -> list[str]:
    note_types = sorted({t for e in dataset.encounters for t in e.notes})
    problems = []
    # `resolve_templates` keeps the file's order: choice N is `templates.N`.
    for index, choice in enumerate(templates):
        if choice.reference not in note_types:
            guess = closest(choice.reference, note_types)
            hint = f"did you mean {guess!r}?" if guess else f"it has {', '.join(note_types)}"
            where = field_location(experiment, ("templates", index, "reference"))
            problems.append(
                f"{where}: template {choice.label!r}: reference {choice.reference!r} is no note "
                f"type of dataset {dataset.name!r}; {hint}"
            )
    return problems


def _catalogue_problems(experiment: Experiment, templates: list[TemplateChoice]) -> list[str]:
    """Template files and stored keys against the built-in catalogue (the one the embedded
    target serves)."""
    catalogue = builtin_catalogue_once()  # the scorers read the same one
    problems = []
    for index, choice in enumerate(templates):
        spec = choice.spec
        if spec.source is not None:
            problems += [str(p) for p in validate_template_file(spec.source, catalogue)]
        elif spec.template_key is not None:
            why = unknown_stored_template(spec.template_key)
            if why is not None:
                problems.append(f"{field_location(experiment, ('templates', index, 'key'))}: {why}")
    return problems
