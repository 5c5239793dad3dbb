// Run by the store tests as a separate process: opens a file-based store over `folder`, takes the
// lease of `runId`, says "held" and waits to be killed. Args: file-system|chunked-fs folder runId.
import { createChunkedFsRunLogStore } from "../chunked-fs/chunked-fs.js";
import { createFileSystemRunLogStore } from "../file-system/file-system.js";

const [kind = "", folder = "", runId = ""] = process.argv.slice(2);
const store = kind === "chunked-fs" ? createChunkedFsRunLogStore({ folder }) : createFileSystemRunLogStore({ folder });
await store.acquireLease(runId);
process.stdout.write("held\n");
setInterval(() => undefined, 60_000);
