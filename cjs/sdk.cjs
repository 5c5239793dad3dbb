"use strict";
// `require("runnable-ts/sdk")`: see entry.cjs.
module.exports = require("./entry.cjs").commonJsEntry("runnable-ts/sdk", "../dist/sdk/index.js");
