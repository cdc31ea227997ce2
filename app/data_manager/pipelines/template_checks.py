"""The one check of a template, run when it is saved, previewed and launched: every problem at once.

Each strategy_config key is checked by its strategy (an unknown key is a problem too), then every
selector, path and pattern is compiled, every transform pattern and default value checked. Messages
start with the path of what is wrong (`fields.sku.selector: ...`), which the API turns into `path`.
"""

from __future__ import annotations

from data_manager.errors import UserError
from data_manager.pipelines.fields import convert
from data_manager.pipelines.limits import ExtractionError, compile_pattern
from data_manager.pipelines.models import TemplateField, TemplateIn
from data_manager.pipelines.strategies import ExtractionSpec, strategy


class InvalidTemplate(UserError):
    """A template that cannot be used; `errors` lists every problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("invalid template: " + "; ".join(errors))
        self.errors = errors


def spec_of(template: TemplateIn) -> ExtractionSpec:
    return ExtractionSpec(template.extraction_strategy, template.strategy_config, template.fields, template.expect)


def template_problems(spec: ExtractionSpec) -> list[str]:
    """Every problem of the template itself (what a save refuses)."""
    try:
        found = strategy(spec.strategy)
    except UserError as exc:
        return [str(exc)]
    problems = []
    for key, value in spec.strategy_config.items():
        check = found.options.get(key)
        if check is None:
            known = ", ".join(sorted(found.options)) or "none"
            problems.append(f"strategy_config.{key}: not an option of {spec.strategy} (its options: {known})")
        elif value is not None and (problem := check(value)):
            problems.append(f"strategy_config.{key}: {problem}")
    return problems + found.check(spec) + field_problems(spec.fields)


def runnable_problems(spec: ExtractionSpec) -> list[str]:
    """The template's problems, then what this machine lacks to run it (what preview and launch refuse)."""
    return template_problems(spec) or strategy(spec.strategy).environment(spec)


def check_template(template: TemplateIn) -> None:
    """InvalidTemplate listing every problem of `template` (before it is stored)."""
    problems = template_problems(spec_of(template))
    if problems:
        raise InvalidTemplate(problems)


def field_problems(fields: list[TemplateField]) -> list[str]:
    problems = []
    for field in fields:
        for number, transform in enumerate(field.transforms):
            if transform.kind == "regex_replace":
                try:
                    compile_pattern(transform.pattern or "", f"fields.{field.name}.transforms.{number}.pattern")
                except UserError as exc:
                    problems.append(str(exc))
        if field.default_value is not None:
            try:
                convert(field.model_copy(update={"transforms": []}), None)
            except ExtractionError as exc:
                problems.append(f"fields.{field.name}.default_value: {str(exc).split(': ', 1)[1]}")
    return problems
