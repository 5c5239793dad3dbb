"use strict";
// `require("runnable-ts")`: see entry.cjs.
module.exports = require("./entry.cjs").commonJsEntry("runnable-ts", "../dist/index.js");
