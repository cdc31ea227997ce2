/**
 * The names the CLI accepts, checked before any request (the API checks them again). The patterns are the API's
 * own, from its OpenAPI schema (src/generated/facts.ts): none is spelled here.
 */
import { DEFINITION_NAME_PATTERN, LOCATION_NAME_MAX_LENGTH, LOCATION_NAME_PATTERN } from "./generated/facts";

/** A location's name; a new instance's folder is named alike (the designer's convention: lower case, no nesting). */
const IDENTIFIER = new RegExp(LOCATION_NAME_PATTERN);
const DEFINITION_NAME = new RegExp(DEFINITION_NAME_PATTERN);

export function locationNameError(name: string, taken: string[]): string | null {
  if (!name) return "Enter a name.";
  if (!IDENTIFIER.test(name)) return "Use lower-case letters, digits and _, starting with a letter.";
  if (name.length > LOCATION_NAME_MAX_LENGTH) return `Use at most ${LOCATION_NAME_MAX_LENGTH} characters.`;
  if (taken.includes(name)) return `A location named ${name} exists already.`;
  return null;
}

export function instanceNameError(name: string, taken: string[]): string | null {
  if (!name) return "Enter a name.";
  if (!IDENTIFIER.test(name)) return "Use lower-case letters, digits and _, starting with a letter.";
  if (taken.includes(name)) return `This location has a component named ${name} already.`;
  return null;
}

/** A free default name for a new instance of `type`: snake_case of its class, numbered when taken. */
export function suggestInstanceName(type: string, taken: string[]): string {
  const base = (type.split(".").pop() ?? "component")
    .replace(/Component$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
  if (!taken.includes(base)) return base;
  let index = 2;
  while (taken.includes(`${base}_${index}`)) index++;
  return `${base}_${index}`;
}

/** A job, schedule or sensor name (also its defs folder): what Dagster accepts, and free in the location. */
export function definitionNameError(name: string, taken: string[]): string | null {
  if (!name) return "Give it a name.";
  if (!DEFINITION_NAME.test(name)) return "Use letters, digits and _, not starting with a digit.";
  if (taken.includes(name)) return `${name} exists already in this location.`;
  return null;
}
