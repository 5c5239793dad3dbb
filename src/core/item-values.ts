import { itemText, type MapVariable } from "./names.js";

// Inside a map, `${<iterate_as>}` in a step's catalog patterns and command is replaced by the item's
// value (its text as in branch names: strings as they are, numbers, JSON for the rest), so each item
// can read and write files of its own (`model_${lr}.pt`). Only the names of enclosing maps are
// replaced (an inner map's name wins over an outer one's); any other `${...}` is left as it is.

const PLACEHOLDER = /\$\{([^{}]+)\}/g;

/** `text` with `${name}` replaced by the value of the enclosing map whose iterate_as is `name`. */
export function withItemValues(text: string, mapVariable: MapVariable, literal: (value: string) => string = (value) => value): string {
  if (mapVariable.length === 0 || !text.includes("${")) return text;
  const values = new Map(mapVariable.map(([name, value]) => [name, itemText(value)] as const));
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values.get(name.trim());
    return value === undefined ? whole : literal(value);
  });
}

/** A value made literal inside a glob pattern (its `*`, `?`, brackets and braces match themselves). */
export function escapeGlob(value: string): string {
  return value.replace(/[*?[\]{}()!+@\\]/g, "\\$&");
}
