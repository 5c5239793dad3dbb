// `import()` of a module named at run time (the user's modules, packages loaded on first use), in one
// place: the command line's start-up snapshot (scripts/cli-snapshot.mjs) is a script restored from a V8
// heap, which has no `import()` of its own, and its build puts a loader from a file on disk in this
// module's place.

/** Imports `specifier` (a file URL or a package name) as `import()` does. */
export function dynamicImport<T = Record<string, unknown>>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
