"use strict";
// CommonJS entry points of runnable-ts, an ES module package (dist/ is ESM). One copy of the package
// whichever way it is loaded: these files hand out the ES modules themselves, never a second build.
// Node.js 20.19+ and 22.12+ can require() an ES module: `require("runnable-ts")` then returns its exports
// (and `load()`). Older Node.js 20 releases cannot: there `require("runnable-ts")` gives `load()` only,
// which any Node.js can use (`const { pipeline } = await require("runnable-ts").load()`), and any other
// name read from it throws, saying so.

/**
 * The CommonJS exports for the ES module `target` (a path from this folder): its exports plus `load()`
 * where require() of ES modules works, else `load()` alone.
 */
function commonJsEntry(specifier, target) {
  const load = () => import(target);
  let loaded;
  try {
    loaded = require(target);
  } catch (error) {
    const code = error && error.code;
    if (code !== "ERR_REQUIRE_ESM" && code !== "ERR_REQUIRE_ASYNC_MODULE") throw error;
  }
  if (loaded !== undefined) return Object.assign({}, loaded, { load });
  const why = `${specifier} is an ES module, which this Node.js (${process.version}) cannot require()`;
  return new Proxy(
    { load },
    {
      get(entry, name) {
        if (name in entry || typeof name === "symbol" || name === "then" || name === "__esModule") return entry[name];
        throw new Error(
          `${why}: load it with \`const { ${String(name)} } = await require("${specifier}").load()\`, use import, or use Node.js 20.19+ or 22.12+`,
        );
      },
    },
  );
}

module.exports = { commonJsEntry };
