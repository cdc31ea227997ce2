"""`data-manager helm values`: the Dagster Helm chart's values for this platform.

Exit codes: 0 written; 2 bad input (an unknown run launcher, a bad setting).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from data_manager.errors import UserError, cli_errors

helm_app = typer.Typer(no_args_is_help=True, help="Kubernetes: values for Dagster's Helm chart, from the registry.")


@helm_app.command("values")
@cli_errors
def values_command(
    image: Annotated[str, typer.Option(help="The data-manager image the locations and runs use.")] = (
        "registry.example.com/data-platform/data-manager:latest"
    ),
    run_launcher: Annotated[str, typer.Option(help="k8s: K8sRunLauncher; celery-k8s: CeleryK8sRunLauncher.")] = "k8s",
    secret_name: Annotated[str, typer.Option(help="The Kubernetes Secret holding the secret settings.")] = (
        "data-platform-secrets"
    ),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Print (or write) values.yaml for `helm install ... dagster/dagster -f values.yaml`."""
    import yaml

    from data_manager.atomic_files import write_atomic
    from data_manager.deploy.helm import RUN_LAUNCHERS, helm_values, render_helm_values
    from data_manager.locations.registry_store import load_registry
    from data_manager.paths import ProjectPaths

    if run_launcher not in RUN_LAUNCHERS:
        raise UserError(f"--run-launcher must be one of {', '.join(RUN_LAUNCHERS)}, not {run_launcher!r}")
    paths = ProjectPaths.discover()
    instance = yaml.safe_load(paths.dagster_yaml.read_text())
    text = render_helm_values(helm_values(load_registry(paths.registry), instance, image, run_launcher, secret_name))
    if output is None:
        print(text, end="")
    else:
        write_atomic(output, text)
        print(f"wrote {output}")
