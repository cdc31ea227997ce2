"""Universal pipelines: extraction and loading configured by database records (framework-free).

A pipeline is a row in `universal_pipelines.pipelines` pointing at a template (extraction strategy and
fields), an entity (target table) and its artifacts. One Dagster job, `universal_pipeline`, runs them all.
"""
