/**
 * The schedule builder's cron handling: the five fields Dagster accepts, a description in words
 * (cronstrue) and the next run times (cron-parser) in the schedule's time zone. The backend checks the
 * same expression again with Dagster's own validation before anything is written.
 */
import { CronExpressionParser } from "cron-parser";
import cronstrue from "cronstrue";

export const CRON_FIELDS = ["minute", "hour", "day of month", "month", "day of week"] as const;

export interface CronPreset {
  label: string;
  cron: string;
}

export const CRON_PRESETS: CronPreset[] = [
  { label: "Every hour", cron: "0 * * * *" },
  { label: "Every day at 06:00", cron: "0 6 * * *" },
  { label: "Weekdays at 06:00", cron: "0 6 * * 1-5" },
  { label: "Every Monday at 06:00", cron: "0 6 * * 1" },
  { label: "First of the month at 06:00", cron: "0 6 1 * *" },
];

/** The five fields of an expression (whitespace-separated), or null when there are not exactly five. */
export function cronFields(cron: string): string[] | null {
  const fields = cron.trim().split(/\s+/);
  return fields.length === CRON_FIELDS.length && fields.every(Boolean) ? fields : null;
}

/** Why an expression is not a five-field cron, in words; null when it is one. */
export function cronError(cron: string): string | null {
  if (!cronFields(cron)) return "A cron has five fields: minute hour day-of-month month day-of-week.";
  try {
    CronExpressionParser.parse(cron.trim(), { strict: false });
    return null;
  } catch (error) {
    return `Not a valid cron: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** "At 06:00 AM, Monday through Friday" style text, or null when the expression is invalid. */
export function describeCron(cron: string): string | null {
  if (cronError(cron)) return null;
  return cronstrue.toString(cron.trim(), { use24HourTimeFormat: true, throwExceptionOnParseError: true });
}

/** The next `count` run times after `from`, reading the cron in `timeZone`. */
export function nextRuns(cron: string, timeZone: string, count = 5, from: Date = new Date()): Date[] {
  if (cronError(cron)) return [];
  const interval = CronExpressionParser.parse(cron.trim(), { currentDate: from, tz: timeZone });
  return interval.take(count).map((date) => date.toDate());
}

/** A run time in words, in the schedule's time zone: "Tuesday 6 January 2026 at 06:00 UTC". */
export function formatRun(date: Date, timeZone: string): string {
  const day = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(date);
  const time = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hour12: false, timeZoneName: "short" }).format(date);
  return `${day.replace(",", "")} at ${time}`;
}
