"""GraphQL documents. ``*_LEGACY`` variants use the pipeline-era names for servers without the job-era API."""

from __future__ import annotations


def _fill(template: str, *parts: str) -> str:
    """Substitute ``<<>>`` markers in order (GraphQL is full of braces and dollars, so no str.format/Template)."""
    for part in parts:
        template = template.replace("<<>>", part, 1)
    return template


VERSION = "query DaglabVersion { version }"

_LOCATION_ENTRY = """
  name
  loadStatus
  locationOrLoadError {
    __typename
    ... on RepositoryLocation { name repositories { name <<>> } }
    ... on PythonError { message causes { message } }
  }
"""
_JOBS = "jobs { name description isAssetJob tags { key value } }"
_PIPELINES = "pipelines { name description tags { key value } }"

WORKSPACE = _fill(
    """
query DaglabWorkspace {
  workspaceOrError {
    __typename
    ... on Workspace { locationEntries { <<>> } }
    ... on PythonError { message }
  }
}
""",
    _fill(_LOCATION_ENTRY, _JOBS),
)

WORKSPACE_LEGACY = _fill(
    """
query DaglabWorkspaceLegacy {
  workspaceOrError {
    __typename
    ... on Workspace { locationEntries { <<>> } }
    ... on PythonError { message }
  }
}
""",
    _fill(_LOCATION_ENTRY, _PIPELINES),
)

_ASSET_FIELDS = """
  assetKey { path }
  groupName
  description
  dependencyKeys { path }
  kinds
  tags { key value }
  jobNames
"""

ASSETS_PAGE = _fill(
    """
query DaglabAssets($selector: RepositorySelector!, $cursor: String, $limit: Int!) {
  repositoryOrError(repositorySelector: $selector) {
    __typename
    ... on Repository {
      assetNodesConnection(cursor: $cursor, limit: $limit) { cursor hasMore nodes { <<>> } }
    }
    ... on Error { message }
  }
}
""",
    _ASSET_FIELDS,
)

ASSETS_LEGACY = """
query DaglabAssetsLegacy($selector: RepositorySelector!) {
  repositoryOrError(repositorySelector: $selector) {
    __typename
    ... on Repository {
      assetNodes { assetKey { path } groupName description dependencyKeys { path } computeKind jobNames }
    }
    ... on Error { message }
  }
}
"""

_CONFIG_ERRORS = """
errors {
  __typename
  message
  path
  reason
  stack {
    entries {
      __typename
      ... on EvaluationStackPathEntry { fieldName }
      ... on EvaluationStackListItemEntry { listIndex }
      ... on EvaluationStackMapKeyEntry { mapKey }
      ... on EvaluationStackMapValueEntry { mapKey }
    }
  }
  ... on MissingFieldConfigError { field { name } }
  ... on FieldNotDefinedConfigError { fieldName }
}
"""

_LAUNCH_RESULT = """
    __typename
    ... on <<>> { run { runId status } }
    ... on <<>> { <<>> }
    ... on PythonError { message }
    ... on Error { message }
"""

LAUNCH = _fill(
    """
mutation DaglabLaunchRun($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) { <<>> }
}
""",
    _fill(_LAUNCH_RESULT, "LaunchRunSuccess", "RunConfigValidationInvalid", _CONFIG_ERRORS),
)

LAUNCH_LEGACY = _fill(
    """
mutation DaglabLaunchPipelineExecution($executionParams: ExecutionParams!) {
  launchPipelineExecution(executionParams: $executionParams) { <<>> }
}
""",
    _fill(_LAUNCH_RESULT, "LaunchPipelineRunSuccess", "PipelineConfigValidationInvalid", _CONFIG_ERRORS),
)

VALIDATE = _fill(
    """
query DaglabValidate($pipeline: PipelineSelector!, $runConfigData: RunConfigData, $mode: String!) {
  isPipelineConfigValid(pipeline: $pipeline, mode: $mode, runConfigData: $runConfigData) {
    __typename
    ... on PipelineConfigValidationValid { pipelineName }
    ... on PipelineConfigValidationInvalid { pipelineName <<>> }
    ... on PythonError { message }
    ... on Error { message }
  }
}
""",
    _CONFIG_ERRORS,
)

_RUN_FIELDS = """
      runId
      status
      <<>>
      tags { key value }
      stats { __typename ... on PipelineRunStatsSnapshot { stepsSucceeded stepsFailed startTime endTime } }
      stepStats { stepKey status startTime endTime }
"""

RUN = _fill(
    """
query DaglabRun($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { <<>> }
    ... on PythonError { message }
    ... on Error { message }
  }
}
""",
    _fill(_RUN_FIELDS, "jobName repositoryOrigin { repositoryLocationName }"),
)

RUN_LEGACY = _fill(
    """
query DaglabRunLegacy($runId: ID!) {
  pipelineRunOrError(runId: $runId) {
    __typename
    ... on PipelineRun { <<>> }
    ... on PythonError { message }
    ... on Error { message }
  }
}
""",
    _fill(_RUN_FIELDS, "pipelineName"),
)

_EVENTS = """
      cursor
      hasMore
      events {
        __typename
        ... on MessageEvent { message timestamp level stepKey eventType }
        ... on ErrorEvent { error { message className cause { message className cause { message className } } } }
      }
"""

LOGS = _fill(
    """
query DaglabLogs($runId: ID!, $cursor: String, $limit: Int) {
  logsForRun(runId: $runId, afterCursor: $cursor, limit: $limit) {
    __typename
    ... on EventConnection { <<>> }
    ... on PythonError { message }
    ... on Error { message }
  }
}
""",
    _EVENTS,
)

LOGS_LEGACY = _fill(
    """
query DaglabLogsLegacy($runId: ID!, $cursor: String) {
  pipelineRunOrError(runId: $runId) {
    __typename
    ... on PipelineRun { eventConnection(afterCursor: $cursor) { <<>> } }
    ... on PythonError { message }
    ... on Error { message }
  }
}
""",
    _EVENTS,
)

_TERMINATE_RESULT = """
    __typename
    ... on TerminatePipelineExecutionSuccess { run { runId status } }
    ... on TerminatePipelineExecutionFailure { message run { runId status } }
    ... on PythonError { message }
    ... on Error { message }
"""

TERMINATE = _fill(
    """
mutation DaglabTerminateRun($runId: String!) {
  terminateRun(runId: $runId, terminatePolicy: SAFE_TERMINATE) { <<>> }
}
""",
    _TERMINATE_RESULT,
)

TERMINATE_LEGACY = _fill(
    """
mutation DaglabTerminatePipelineExecution($runId: String!) {
  terminatePipelineExecution(runId: $runId) { <<>> }
}
""",
    _TERMINATE_RESULT,
)

_LOCATION_STATUS = (
    "name loadStatus locationOrLoadError { __typename ... on PythonError { message causes { message } } }"
)

RELOAD = _fill(
    """
mutation DaglabReloadLocation($name: String!) {
  reloadRepositoryLocation(repositoryLocationName: $name) {
    __typename
    ... on WorkspaceLocationEntry { <<>> }
    ... on PythonError { message }
    ... on Error { message }
  }
}
""",
    _LOCATION_STATUS,
)

RELOAD_WORKSPACE = _fill(
    """
mutation DaglabReloadWorkspace {
  reloadWorkspace {
    __typename
    ... on Workspace { locationEntries { <<>> } }
    ... on PythonError { message }
    ... on Error { message }
  }
}
""",
    _LOCATION_STATUS,
)

RUNS = """
query DaglabRuns($filter: RunsFilter, $limit: Int) {
  runsOrError(filter: $filter, limit: $limit) {
    __typename
    ... on Runs { results { runId status jobName tags { key value } repositoryOrigin { repositoryLocationName } } }
    ... on PythonError { message }
    ... on Error { message }
  }
}
"""

# Names that exist only in the job-era API: a validation error naming one of them means "use the legacy documents".
JOB_ERA_NAMES = ("launchRun", "jobName", "runOrError", "jobs", "logsForRun", "terminateRun", "isAssetJob")

ASSET_STATES = """
query DaglabAssetStates($assetKeys: [AssetKeyInput!]!) {
  assetNodes(assetKeys: $assetKeys) { assetKey { path } staleStatus }
  assetsLatestInfo(assetKeys: $assetKeys) {
    assetKey { path }
    latestMaterialization { runId timestamp }
    latestRun { id status startTime endTime }
    inProgressRunIds
    unstartedRunIds
  }
}
"""
