"""Extraction strategies: each turns one document into raw records (field name -> raw value).

A strategy module has `prepare(spec)` (compile selectors and patterns, UserError naming the field)
and `extract(document, spec)` (ExtractionError naming the artifact and field). Type conversion and
transforms happen afterwards, the same way for every strategy (see fields.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from data_manager.pipelines.documents import Document
from data_manager.pipelines.models import TemplateField

RawRecord = dict[str, Any]


@dataclass(frozen=True)
class ExtractionSpec:
    strategy: str
    strategy_config: dict[str, Any]
    fields: list[TemplateField]

    def option(self, name: str, default: Any = None) -> Any:
        return self.strategy_config.get(name, default)


@dataclass(frozen=True)
class StrategyFunctions:
    prepare: Callable[[ExtractionSpec], None]
    extract: Callable[[Document, ExtractionSpec], list[RawRecord]]


def strategy_functions(name: str) -> StrategyFunctions:
    """The module for `name`, imported only when used (pdfplumber and OCR are heavy)."""
    import importlib

    from data_manager.errors import UserError
    from data_manager.pipelines.schema import STRATEGIES

    if name not in STRATEGIES:
        raise UserError(f"extraction_strategy: unknown strategy {name!r} (use {', '.join(STRATEGIES)})")
    module = importlib.import_module(f"data_manager.pipelines.strategies.{name}")
    return StrategyFunctions(prepare=module.prepare, extract=module.extract)
