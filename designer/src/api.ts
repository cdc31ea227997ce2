/**
 * The platform API's designer routes (`/api/designer`), typed. The one module that knows URLs and
 * response shapes: when the backend changes a shape, this is the only file to edit.
 */
import type { components } from "./generated/api";
import type { GitChange } from "./gitChanges";

export type JsonSchema = Record<string, unknown>;

export interface ComponentType {
  key: string;
  package: string;
  summary: string;
  description?: string;
  example?: string;
  schema?: JsonSchema;
}

export interface Location {
  name: string;
  status: string;
  description?: string;
  error?: string;
}

export interface ComponentInstance {
  path: string;
  type: string;
  attributes: Record<string, unknown>;
  /** Why the instance's defs.yaml could not be read, when it could not. */
  error?: string | null;
  /** Added in the designer but not written yet: its first Save creates it (checked like every write). */
  unwritten?: boolean;
}

export interface AssetCheck {
  name: string;
}

export interface PreviewAsset {
  key: string;
  deps: string[];
  group?: string | null;
  kinds: string[];
  description?: string | null;
  checks: string[];
  owners?: string[];
  component?: string | null;
}

export interface Preview {
  assets: PreviewAsset[];
}

export interface EnvVar {
  name: string;
  set: boolean;
}

export interface GitState {
  /** The location's changed files, porcelain status letters trimmed ("M", "??", "D"…). */
  changes: GitChange[];
  diff: string;
  head: string | null;
  branch: string | null;
}

/** The checkout's branches; `current` is null on a detached HEAD. */
export interface GitBranches {
  current: string | null;
  branches: string[];
}

export interface RunState {
  runId: string;
  status: string;
  url?: string;
}

/** An asset's state on the running platform: materialized, stale, failed, running or missing. */
export interface AssetLiveState {
  key: string;
  state: string;
  materializedAt: number | null;
  lastRun: { runId: string; status: string | null; at: number | null; url: string } | null;
}

/** What refers to an instance (GET .../references): each goes too, or is edited, when the delete cascades. */
export interface InstanceReferences {
  assets: string[];
  lineage: { source: string; target: string; component: string; action: string }[];
  dbt_sources: { file: string; asset_key: string; target: string; action: string }[];
  jobs: { path: string; name?: string; assets: string[]; action: string }[];
  schedules: { path: string; name?: string; job?: string; action: string }[];
  sensors: { path: string; name?: string; job?: string; asset?: string; action: string }[];
  count: number;
}

/** The location's server-side undo journal: the next step to undo and to redo, by label. */
export interface History {
  undo: string | null;
  redo: string | null;
}

export interface LocationFile {
  path: string;
  kind: "sql" | "yaml" | "python";
  size: number;
}

/** One problem the API reported: `path` points into the component's attributes when it is a field's. */
export type ApiErrorItem = components["schemas"]["ErrorItem"];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiErrorItem[],
  ) {
    super(errors.map((error) => error.message).join("; ") || `request failed (HTTP ${status})`);
  }
}

const BASE = "/api/designer";

/** Where the bearer token is kept for this tab, when the API asks for one (PLATFORM_API_TOKEN, e.g. in Compose). */
const TOKEN_KEY = "platform-api-token";

function storedToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? "";
  } catch {
    return "";
  }
}

export async function request<T>(method: string, url: string, body?: unknown, asked = false): Promise<T> {
  let response: Response;
  const form = body instanceof FormData;
  const headers: Record<string, string> = body === undefined || form ? {} : { "Content-Type": "application/json" };
  const token = storedToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined || form ? (body as FormData | undefined) : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, [{ message: "The platform API cannot be reached: is `data-manager api` running?" }]);
  }
  if (response.status === 401 && !asked && typeof window !== "undefined" && typeof window.prompt === "function") {
    // The API runs with PLATFORM_API_TOKEN: ask once, keep it for this tab only, and retry.
    const given = window.prompt("The platform API needs its token (PLATFORM_API_TOKEN in .env):");
    if (given) {
      // EventSource (the Pipelines page's live log) sends no headers: the API answers a right bearer header with
      // an HttpOnly cookie of the token, which the browser then sends for it.
      sessionStorage.setItem(TOKEN_KEY, given.trim());
      return request<T>(method, url, body, true);
    }
  }
  if (!response.ok) throw new ApiError(response.status, await errorItems(response));
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function errorItems(response: Response): Promise<ApiErrorItem[]> {
  try {
    const body = (await response.json()) as { errors?: ApiErrorItem[]; detail?: unknown };
    if (Array.isArray(body.errors) && body.errors.length) return body.errors;
  } catch {
    // not JSON: fall through to the status line
  }
  return [{ message: `The platform API answered ${response.status} ${response.statusText}`.trim() }];
}

const enc = encodeURIComponent;
export const location = (name: string) => `${BASE}/locations/${enc(name)}`;
/** Instance paths may hold `/` (nested defs folders): each segment is encoded on its own. */
const instance = (name: string, path: string) => `${location(name)}/components/${path.split("/").map(enc).join("/")}`;

const fileUrl = (name: string, path: string) => `${location(name)}/files/${path.split("/").map(enc).join("/")}`;

/** Lists arrive either bare or wrapped (`{items: [...]}`, `{locations: [...]}`): accept both. */
function list<T>(body: unknown, ...keys: string[]): T[] {
  if (Array.isArray(body)) return body as T[];
  const record = (body ?? {}) as Record<string, unknown>;
  for (const key of [...keys, "items"]) if (Array.isArray(record[key])) return record[key] as T[];
  return [];
}

function packageOf(key: string): string {
  const dot = key.indexOf(".");
  return dot > 0 ? key.slice(0, dot) : key;
}

function normaliseType(raw: Record<string, unknown>): ComponentType {
  const key = String(raw.key ?? raw.type ?? raw.name);
  return {
    key,
    package: String(raw.package ?? packageOf(key)),
    summary: String(raw.summary ?? ""),
    description: (raw.description as string | undefined) ?? undefined,
    example: (raw.example as string | undefined) ?? undefined,
    schema: (raw.schema ?? raw.json_schema) as JsonSchema | undefined,
  };
}

function normaliseAsset(raw: Record<string, unknown>): PreviewAsset {
  const checks = (raw.checks as unknown[] | undefined) ?? [];
  return {
    key: String(raw.key),
    deps: ((raw.deps as unknown[] | undefined) ?? []).map(String),
    group: (raw.group ?? raw.group_name ?? null) as string | null,
    kinds: ((raw.kinds as unknown[] | undefined) ?? []).map(String),
    description: (raw.description as string | null | undefined) ?? null,
    checks: checks.map((check) =>
      typeof check === "string" ? check : String((check as Record<string, unknown>).name ?? (check as Record<string, unknown>).key),
    ),
    owners: ((raw.owners as unknown[] | undefined) ?? []).map(String),
    component: (raw.component ?? raw.component_path ?? raw.instance ?? null) as string | null,
  };
}

export const api = {
  async components(refresh = false): Promise<ComponentType[]> {
    const body = await request<unknown>("GET", `${BASE}/components${refresh ? "?refresh=true" : ""}`);
    return list<Record<string, unknown>>(body, "components").map(normaliseType);
  },
  async component(type: string): Promise<ComponentType> {
    return normaliseType(await request<Record<string, unknown>>("GET", `${BASE}/components/${enc(type)}`));
  },
  async locations(): Promise<Location[]> {
    const body = await request<unknown>("GET", `${BASE}/locations`);
    return list<Location>(body, "locations");
  },
  /** The location templates `make add-code-location TEMPLATE=` offers (the API lists none of its own). */
  templates(): string[] {
    return ["empty", "sql", "airbyte", "dbt"];
  },
  createLocation(name: string, template: string): Promise<unknown> {
    return request("POST", `${BASE}/locations`, { name, template });
  },
  async instances(name: string): Promise<ComponentInstance[]> {
    const body = await request<unknown>("GET", `${location(name)}/components`);
    return list<ComponentInstance>(body, "components").map((item) => ({ ...item, attributes: item.attributes ?? {} }));
  },
  createInstance(name: string, type: string, path: string, attributes: Record<string, unknown>): Promise<unknown> {
    return request("POST", `${location(name)}/components`, { type, path, attributes });
  },
  saveAttributes(name: string, path: string, attributes: Record<string, unknown>): Promise<unknown> {
    return request("PUT", instance(name, path), { attributes });
  },
  deleteInstance(name: string, path: string, cascade = false): Promise<unknown> {
    return request("DELETE", `${instance(name, path)}${cascade ? "?cascade=true" : ""}`);
  },
  references(name: string, path: string): Promise<InstanceReferences> {
    return request("GET", `${instance(name, path)}/references`);
  },
  renameInstance(name: string, path: string, newPath: string): Promise<unknown> {
    return request("POST", `${instance(name, path)}/rename`, { path: newPath });
  },
  duplicateInstance(name: string, path: string, newPath: string): Promise<unknown> {
    return request("POST", `${instance(name, path)}/duplicate`, { path: newPath });
  },
  async history(name: string): Promise<History> {
    type Step = { label: string } | null;
    const body = await request<{ undo: Step; redo: Step }>("GET", `${location(name)}/history`);
    return { undo: body.undo?.label ?? null, redo: body.redo?.label ?? null };
  },
  /** Undo (or redo) the journal's last step: the files go back byte for byte, checked first. */
  replay(name: string, direction: "undo" | "redo"): Promise<unknown> {
    return request("POST", `${location(name)}/${direction}`);
  },
  async check(name: string): Promise<ApiErrorItem[]> {
    const body = await request<{ errors?: ApiErrorItem[] }>("POST", `${location(name)}/check`);
    return body?.errors ?? [];
  },
  async preview(name: string): Promise<Preview> {
    const body = await request<unknown>("GET", `${location(name)}/preview`);
    return { assets: list<Record<string, unknown>>(body, "assets").map(normaliseAsset) };
  },
  async env(name: string): Promise<EnvVar[]> {
    const body = await request<unknown>("GET", `${location(name)}/env`);
    return list<EnvVar>(body, "variables", "env");
  },
  exportUrl(name: string): string {
    return `${location(name)}/export`;
  },
  async git(name: string): Promise<GitState> {
    const body = await request<Partial<GitState>>("GET", `${location(name)}/git`);
    return { changes: body.changes ?? [], diff: body.diff ?? "", head: body.head ?? null, branch: body.branch ?? null };
  },
  /** Commit the change set `paths` (some of the location's changed files) with `message`. */
  commit(name: string, message: string, paths: string[]): Promise<unknown> {
    const body: components["schemas"]["CommitRequest"] = { message, paths };
    return request("POST", `${location(name)}/git/commit`, body);
  },
  async branches(name: string): Promise<GitBranches> {
    const body = await request<Partial<GitBranches>>("GET", `${location(name)}/git/branches`);
    return { current: body.current ?? null, branches: body.branches ?? [] };
  },
  /** A new branch at HEAD, checked out (the files stay as they are). */
  async createBranch(name: string, branch: string): Promise<GitBranches> {
    const body: components["schemas"]["NewBranch"] = { name: branch, checkout: true };
    const answer = await request<Partial<GitBranches>>("POST", `${location(name)}/git/branches`, body);
    return { current: answer.current ?? null, branches: answer.branches ?? [] };
  },
  /** Switch the whole checkout to `branch` (refused while the location has uncommitted changes). */
  checkout(name: string, branch: string): Promise<unknown> {
    const body: components["schemas"]["Checkout"] = { branch };
    return request("POST", `${location(name)}/git/checkout`, body);
  },
  /** Whether the API offers the run route (the button is shown only then). */
  async canRun(): Promise<boolean> {
    try {
      const spec = await request<{ paths?: Record<string, unknown> }>("GET", "/api/openapi.json");
      return `${BASE}/locations/{name}/run` in (spec.paths ?? {});
    } catch {
      return false;
    }
  },
  async run(name: string, assets: string[] = []): Promise<RunState> {
    const body = await request<Record<string, unknown>>("POST", `${location(name)}/run`, assets.length ? { assets } : undefined);
    return normaliseRun(body);
  },
  /** Whether the platform's Dagster webserver answers (the locations listing says so). */
  async webserverUp(): Promise<boolean> {
    const body = await request<{ webserver?: string }>("GET", `${BASE}/locations`);
    return body.webserver === "up";
  },
  async liveState(name: string): Promise<AssetLiveState[]> {
    const body = await request<{ assets: { key: string; state: string; materialized_at: number | null; last_run: null | Record<string, unknown> }[] }>(
      "GET",
      `${location(name)}/state`,
    );
    return body.assets.map((asset) => ({
      key: asset.key,
      state: asset.state,
      materializedAt: asset.materialized_at,
      lastRun: asset.last_run
        ? { runId: String(asset.last_run.run_id), status: (asset.last_run.status as string) ?? null, at: (asset.last_run.at as number) ?? null, url: String(asset.last_run.url) }
        : null,
    }));
  },
  async files(name: string): Promise<LocationFile[]> {
    return (await request<{ files: LocationFile[] }>("GET", `${location(name)}/files`)).files;
  },
  async readFile(name: string, path: string): Promise<string> {
    return (await request<{ content: string }>("GET", fileUrl(name, path))).content;
  },
  writeFile(name: string, path: string, content: string): Promise<unknown> {
    return request("PUT", fileUrl(name, path), { content });
  },
  async runStatus(name: string, runId: string): Promise<RunState> {
    return normaliseRun(await request<Record<string, unknown>>("GET", `${location(name)}/runs/${enc(runId)}`));
  },
};

function normaliseRun(body: Record<string, unknown>): RunState {
  return {
    runId: String(body.run_id ?? body.runId ?? body.id),
    status: String(body.status ?? "QUEUED"),
    url: (body.url ?? body.dagster_url) as string | undefined,
  };
}
