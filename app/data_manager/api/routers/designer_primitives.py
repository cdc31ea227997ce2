"""`/api/designer/locations/{name}/{jobs,schedules,sensors}` and `/api/designer/cron`: Dagster's primitives as
instances of the platform's YAML components (thin over `data_manager.designer.primitives`).

Errors as the other designer routes: every problem at once, 422 invalid, 404 unknown, 409 a name taken;
a refused request changes nothing on disk.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from data_manager.api.errors import ErrorBody
from data_manager.api.routers.designer import CatalogDep, Layout, Writes, written
from data_manager.components.definition_names import DEFINITION_NAME
from data_manager.designer import primitives
from data_manager.designer.problems import DesignerError

router = APIRouter(
    prefix="/designer",
    tags=["designer"],
    responses={
        404: {"model": ErrorBody, "description": "Unknown location or component type"},
        409: {"model": ErrorBody, "description": "The name is taken"},
        422: {"model": ErrorBody, "description": "Invalid input (a cron, an asset, a job) or dg refused the result"},
    },
)


# The pattern a job, schedule or sensor name matches, in the schema only (the designer checks with it before it
# asks): `primitives` checks it with everything else, so a request hears every problem at once.
DEFINITION_NAME_SCHEMA = {"pattern": DEFINITION_NAME.pattern}


class NewJob(BaseModel):
    name: str = Field(
        description="Job name; also the instance folder under defs/", json_schema_extra=DEFINITION_NAME_SCHEMA
    )
    assets: list[str] = Field(description="Asset keys the job materializes")
    description: str | None = None


class NewSchedule(BaseModel):
    name: str = Field(json_schema_extra=DEFINITION_NAME_SCHEMA)
    job: str = Field(description="A job of the location")
    cron: str = Field(description="Five cron fields, e.g. `0 6 * * 1-5`")
    timezone: str = "UTC"
    running: bool = Field(False, description="Start it running (default stopped)")


class NewSensor(BaseModel):
    name: str = Field(json_schema_extra=DEFINITION_NAME_SCHEMA)
    asset: str = Field(description="The asset whose materializations trigger the job")
    job: str
    running: bool = False


class CronRequest(BaseModel):
    cron: str
    timezone: str = "UTC"


@router.post(
    "/locations/{name}/jobs", status_code=201, summary="A job of picked assets (AssetJobComponent)", dependencies=Writes
)
def create_job(body: NewJob, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    return written(location, primitives.create_job(location, catalog, body.name, body.assets, body.description))


@router.post("/locations/{name}/schedules", status_code=201, summary="A cron schedule of a job", dependencies=Writes)
def create_schedule(body: NewSchedule, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    created = primitives.create_schedule(location, catalog, body.name, body.job, body.cron, body.timezone, body.running)
    return written(location, created)


@router.post(
    "/locations/{name}/sensors", status_code=201, summary="An asset sensor launching a job", dependencies=Writes
)
def create_sensor(body: NewSensor, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    return written(location, primitives.create_sensor(location, catalog, body.name, body.asset, body.job, body.running))


@router.post("/cron", summary="Check a cron schedule with Dagster's validation; its next five runs")
def check_cron(body: CronRequest) -> dict[str, object]:
    problems = primitives.cron_problems(body.cron, body.timezone)
    if problems:
        raise DesignerError(problems)
    return {
        "cron": body.cron.strip(),
        "timezone": body.timezone,
        "next_runs": primitives.next_runs(body.cron.strip(), body.timezone),
    }
