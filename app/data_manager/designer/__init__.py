"""The designer's services over Dagster's `dg` CLI and the code-location registry (framework-free).

The platform API's `/api/designer` routes and the `data-manager components` CLI both call these modules.
"""
