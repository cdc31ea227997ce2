/**
 * The lineage and primitives routes of the platform API: drawn dependencies
 * (`/locations/{name}/lineage`) and jobs, schedules and sensors (`/locations/{name}/{jobs,schedules,sensors}`).
 */
import { location, request } from "./api";
import type { components } from "./generated/api";

export type EdgeOrigin = "drawn" | "dbt" | "declared";

export interface LineageEdge {
  source: string;
  target: string;
  origin: EdgeOrigin;
}

export interface Definitions {
  jobs: { name: string; description?: string }[];
  schedules: { name: string; cron_schedule?: string }[];
  sensors: { name: string }[];
}

/** The body of POST .../lineage; `dry_run` answers the diff and writes nothing. */
type NewEdge = components["schemas"]["Edge"];

/** The body of POST .../schedules. */
export type NewSchedule = components["schemas"]["NewSchedule"];

export const lineageApi = {
  async edges(name: string): Promise<LineageEdge[]> {
    return (await request<{ edges: LineageEdge[] }>("GET", `${location(name)}/lineage`)).edges;
  },
  /** Write the dependency; with `expectedDiff` (a reviewed dry run's), only if that is still what it writes (409). */
  async addEdge(name: string, source: string, target: string, expectedDiff?: string): Promise<LineageEdge[]> {
    const body: NewEdge = expectedDiff === undefined ? { source, target } : { source, target, expected_diff: expectedDiff };
    return (await request<{ edges: LineageEdge[] }>("POST", `${location(name)}/lineage`, body)).edges;
  },
  /** The unified diff adding the dependency would write (a dry run: nothing is written). */
  async edgeDiff(name: string, source: string, target: string): Promise<string> {
    const body: NewEdge = { source, target, dry_run: true };
    return (await request<{ diff: string }>("POST", `${location(name)}/lineage`, body)).diff;
  },
  async removeEdge(name: string, source: string, target: string): Promise<LineageEdge[]> {
    const query = new URLSearchParams({ source, target }).toString();
    return (await request<{ edges: LineageEdge[] }>("DELETE", `${location(name)}/lineage?${query}`)).edges;
  },
  /** Jobs, schedules and sensors from the (cached) preview. */
  async definitions(name: string): Promise<Definitions> {
    const body = await request<Partial<Definitions>>("GET", `${location(name)}/preview`);
    return { jobs: body.jobs ?? [], schedules: body.schedules ?? [], sensors: body.sensors ?? [] };
  },
  createJob(name: string, job: string, assets: string[]): Promise<unknown> {
    return request("POST", `${location(name)}/jobs`, { name: job, assets });
  },
  createSchedule(name: string, schedule: NewSchedule): Promise<{ next_runs: string[] }> {
    return request("POST", `${location(name)}/schedules`, schedule);
  },
  createSensor(name: string, sensor: string, asset: string, job: string): Promise<unknown> {
    return request("POST", `${location(name)}/sensors`, { name: sensor, asset, job });
  },
};
