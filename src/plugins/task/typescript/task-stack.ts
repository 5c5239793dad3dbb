import { sep } from "node:path";
import { fileURLToPath } from "node:url";

// A failing TypeScript task's stack, as its author wants to read it: the user's own frames only. The
// frames of runnable-ts itself (the runner, the engine: a dozen lines that say nothing about the task)
// end it, Node's internals are left out, and modules tsx loaded as `data:` URLs (CommonJS projects)
// are named by their file instead of by their whole source text.

const FRAME = /^\s+at /;
// The URL runs to the end of the frame (its text may hold parentheses); its line:col are of the compiled text.
const DATA_URL = /data:text\/javascript,.*?(?=\)?$)/;

/** The folder of this package (frames below it are the framework's, not the task's). */
function packageRoot(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  for (const marker of [`${sep}dist${sep}`, `${sep}src${sep}`]) {
    const at = here.lastIndexOf(marker);
    if (at > 0) return here.slice(0, at + 1);
  }
  return undefined;
}

/** The file a tsx `data:` URL module came from (its `__filename`), or `<module>`. */
function dataUrlFile(url: string): string {
  const encoded = /__filename%3D%22(.*?)%22/.exec(url)?.[1];
  if (!encoded) return "<module>";
  try {
    return decodeURIComponent(encoded);
  } catch {
    return "<module>";
  }
}

function isFramework(frame: string, root: string | undefined): boolean {
  const plain = frame.replace("file://", "");
  return root !== undefined && (plain.includes(`${root}dist${sep}`) || plain.includes(`${root}src${sep}`) || plain.includes(`${root}node_modules${sep}`));
}

/** The stack of an error thrown by a task, cut to the task's own frames (the message lines are kept). */
export function taskStack(error: Error, root = packageRoot()): string {
  const lines = (error.stack ?? `${error.name}: ${error.message}`).split("\n");
  const kept: string[] = [];
  for (const line of lines) {
    if (!FRAME.test(line)) {
      kept.push(line);
      continue;
    }
    if (isFramework(line, root)) break;
    if (/\(node:|at node:/.test(line)) continue;
    kept.push(line.replace(DATA_URL, (url) => dataUrlFile(url)));
  }
  return kept.join("\n");
}
