// Python's json.dumps lives in core (parameters use it for the environment); re-exported for source's readers.
export { PY_FLOAT, type PyFloat, pyFloat, pythonFloat, pythonJsonDumps } from "../core/python-json.js";
