#!/usr/bin/env node
// The function-length report (`npm run report:functions`): every function, method, accessor, constructor
// and arrow function in src/ longer than N lines (default 60, the project's ceiling), largest first, with
// file:line; then the files over 300 lines. A function's length runs from its first token (after its
// doc comment) to its closing brace and includes the functions nested in it: a factory is as long as the
// closures it holds, which is what the state-object rule is about.
//
// Test code is left out: `*.test.ts` files, and `src/testing/contracts/` (the plug-in contract suites:
// vitest `describe` bodies holding dozens of `it` cases, shipped under src/ only so that users can run them
// against their own plug-ins; a suite's length is its number of cases, not a function to split).
// `--all` keeps them.
//
// Usage: node scripts/function-lengths.mjs [--over N] [--top K] [--file-lines M] [--all] [--json] [dir...]
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import ts from "typescript";

const EXCLUDED_FOLDERS = ["src/testing/contracts/"];

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      over: { type: "string", default: "60" },
      top: { type: "string" },
      "file-lines": { type: "string", default: "300" },
      all: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log("usage: node scripts/function-lengths.mjs [--over N=60] [--top K] [--file-lines M=300] [--all] [--json] [dir...=src]");
    process.exit(0);
  }
  const number = (name, text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) {
      console.error(`--${name} takes a whole number, not "${text}"`);
      process.exit(2);
    }
    return value;
  };
  return {
    over: number("over", values.over),
    top: values.top === undefined ? Number.POSITIVE_INFINITY : number("top", values.top),
    fileLines: number("file-lines", values["file-lines"]),
    all: values.all,
    json: values.json,
    roots: positionals.length > 0 ? positionals : ["src"],
  };
}

/** The .ts files at or under `root` (a folder or a file), test code left out unless `all`. */
function sourceFiles(root, all) {
  const entries = statSync(root).isDirectory()
    ? readdirSync(root, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name))
    : [root];
  const files = [];
  for (const entry of entries) {
    if (!entry.endsWith(".ts") || entry.endsWith(".d.ts")) continue;
    const file = path.relative(process.cwd(), entry).split(path.sep).join("/");
    if (!all && (file.endsWith(".test.ts") || EXCLUDED_FOLDERS.some((folder) => file.startsWith(folder)))) continue;
    files.push(file);
  }
  return files.sort();
}

function nameText(name) {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return name.getText();
}

/** What a reader would call the function: its own name, the variable or property it is assigned to, or the call it is passed to. */
function functionName(node) {
  const own = nameText(node.name);
  const parent = node.parent;
  const owner = ts.isClassLike(parent) ? nameText(parent.name) : undefined;
  if (ts.isConstructorDeclaration(node)) return `${owner ?? "<class>"}.constructor`;
  if (own) return owner ? `${owner}.${own}` : own;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return nameText(parent.name);
  if (ts.isBinaryExpression(parent)) return parent.left.getText();
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    const callee = parent.expression.getText().replace(/\s+/g, " ");
    return `${callee.length > 40 ? `${callee.slice(0, 37)}...` : callee}(...) callback`;
  }
  return "<anonymous>";
}

function isFunction(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** Every function with a body in `file`, with its length in lines. */
function functionsOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (isFunction(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file, line: first + 1, lines: last - first + 1, name: functionName(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { functions: found, fileLines: source.getLineStarts().length - (source.text.endsWith("\n") ? 1 : 0) };
}

function main() {
  const opts = options();
  const files = opts.roots.flatMap((root) => sourceFiles(root, opts.all));
  const functions = [];
  const longFiles = [];
  for (const file of files) {
    const { functions: found, fileLines } = functionsOf(file);
    functions.push(...found.filter((entry) => entry.lines > opts.over));
    if (fileLines > opts.fileLines) longFiles.push({ file, lines: fileLines });
  }
  functions.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
  longFiles.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
  const shown = functions.slice(0, opts.top);
  if (opts.json) {
    console.log(JSON.stringify({ over: opts.over, functions: shown, fileLines: opts.fileLines, files: longFiles }, null, 2));
    return;
  }
  const scope = `${files.length} files in ${opts.roots.join(", ")}${opts.all ? "" : " (tests and contract suites left out)"}`;
  console.log(`${functions.length} functions over ${opts.over} lines, ${scope}${shown.length < functions.length ? `; the ${shown.length} longest` : ""}:`);
  for (const entry of shown) console.log(`${String(entry.lines).padStart(5)}  ${entry.file}:${entry.line}  ${entry.name}`);
  console.log(`\n${longFiles.length} files over ${opts.fileLines} lines:`);
  for (const entry of longFiles) console.log(`${String(entry.lines).padStart(5)}  ${entry.file}`);
}

main();
