"use strict";
// `require("runnable-ts/testing")`: see entry.cjs.
module.exports = require("./entry.cjs").commonJsEntry("runnable-ts/testing", "../dist/testing/index.js");
