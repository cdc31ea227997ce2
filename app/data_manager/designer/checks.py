"""Validate a location: the attributes of every instance against its type's schema, then `dg check yaml`
and `dg check defs`; every problem carries file, line and attribute path when they are known."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from data_manager.designer import instances
from data_manager.designer.catalog import Catalog
from data_manager.designer.dg import commands as dg_commands
from data_manager.designer.dg.output import failed_output_problems
from data_manager.designer.layout import LocationLayout
from data_manager.designer.problems import Problem
from data_manager.designer.staged_check import locate

CHECK_TIMEOUT_S = 300.0


@dataclass
class CheckReport:
    location: str
    ok: bool = True
    problems: list[tuple[str, Problem]] = field(default_factory=list)
    steps: dict[str, bool] = field(default_factory=dict)
    duration_s: float = 0.0

    def add(self, step: str, problems: list[Problem]) -> None:
        self.steps[step] = not problems
        self.problems += [(step, problem) for problem in problems]
        self.ok = self.ok and not problems

    def as_dict(self) -> dict[str, object]:
        return {
            "location": self.location,
            "ok": self.ok,
            "steps": self.steps,
            "errors": [{**problem.as_dict(), "step": step} for step, problem in self.problems],
            "duration_s": round(self.duration_s, 3),
        }


def schema_problems(layout: LocationLayout, catalog: Catalog) -> list[Problem]:
    problems = []
    for instance in instances.list_instances(layout):
        defs_file = layout.paths.home / instance.file
        problems += instances.yaml_problems(catalog, defs_file.read_text(), instance.file)
    return problems


def _dg_step(layout: LocationLayout, *args: str) -> list[Problem]:
    result = dg_commands.run(layout.paths, layout.project_dir, list(args), CHECK_TIMEOUT_S)
    if result.ok:
        return []
    problems = failed_output_problems(result.stdout + "\n" + result.stderr, layout.paths.home, f"dg {' '.join(args)}")
    return locate(problems, layout.defs_dir, layout.paths.home)


def check_location(layout: LocationLayout, catalog: Catalog, with_defs: bool = True) -> CheckReport:
    """Schema first (fast, precise); dg's own checks after. `with_defs=False` skips loading the definitions."""
    started = time.perf_counter()
    report = CheckReport(layout.name)
    report.add("schema", schema_problems(layout, catalog))
    report.add("dg check yaml", _dg_step(layout, "check", "yaml"))
    if with_defs:
        report.add("dg check defs", _dg_step(layout, "check", "defs"))
    report.duration_s = time.perf_counter() - started
    return report
