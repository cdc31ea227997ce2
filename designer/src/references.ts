import type { InstanceReferences } from "./api";

/**
 * One line per reference of an instance, as the API lists it (GET .../references), with what deleting the
 * instance with cascade does to it: the delete dialog's confirmation shows these.
 */
export function referenceLines(refs: InstanceReferences): string[] {
  return [
    ...refs.lineage.map((edge) => `drawn dependency ${edge.target} ← ${edge.source} (in ${edge.component}): ${edge.action}`),
    ...refs.dbt_sources.map((source) => `dbt source ${source.asset_key} of ${source.target} (in ${source.file}): ${source.action}`),
    ...refs.jobs.map((job) => `job ${job.name ?? job.path} (selects ${job.assets.join(", ")}): ${job.action}`),
    ...refs.schedules.map((schedule) => `schedule ${schedule.name ?? schedule.path} (on job ${schedule.job}): ${schedule.action}`),
    ...refs.sensors.map((sensor) => `sensor ${sensor.name ?? sensor.path}: ${sensor.action}`),
  ];
}
