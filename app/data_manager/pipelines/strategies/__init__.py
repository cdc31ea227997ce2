"""Extraction strategies: each turns one document into `Findings` (record candidates and what it skipped).

A strategy module has `OPTIONS` (its strategy_config keys, each with a check returning a problem or
None), `check(spec)` (every problem of the fields' selectors and patterns, as `path: message` lines),
`extract(document, spec)` (ExtractionError naming the artifact) and optionally `environment(spec)`
(what the machine lacks to run it: a program, a setting). Type conversion and transforms happen
afterwards, the same way for every strategy (see fields.py); template_checks.py runs the checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from data_manager.pipelines.documents import Document
from data_manager.pipelines.models import Expect, TemplateField

if TYPE_CHECKING:
    from data_manager.pipelines.findings import Findings

RawRecord = dict[str, Any]
OptionCheck = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class ExtractionSpec:
    strategy: str
    strategy_config: dict[str, Any]
    fields: list[TemplateField]
    expect: Expect | None = None

    def option(self, name: str, default: Any = None) -> Any:
        value = self.strategy_config.get(name)
        return default if value is None else value


@dataclass(frozen=True)
class Strategy:
    name: str
    options: Mapping[str, OptionCheck]
    check: Callable[[ExtractionSpec], list[str]]
    extract: Callable[[Document, ExtractionSpec], Findings]
    environment: Callable[[ExtractionSpec], list[str]]


def _nothing_missing(spec: ExtractionSpec) -> list[str]:
    return []


def strategy(name: str) -> Strategy:
    """The strategy called `name`, its module imported only when used (pdfplumber and OCR are heavy)."""
    import importlib

    from data_manager.errors import UserError
    from data_manager.pipelines.schema import STRATEGIES

    if name not in STRATEGIES:
        raise UserError(f"extraction_strategy: unknown strategy {name!r} (use {', '.join(STRATEGIES)})")
    module = importlib.import_module(f"data_manager.pipelines.strategies.{name}")
    return Strategy(
        name=name,
        options=module.OPTIONS,
        check=module.check,
        extract=module.extract,
        environment=getattr(module, "environment", _nothing_missing),
    )


def text_option(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else f"{value!r} is not a non-empty text"
