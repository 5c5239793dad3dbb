"""Runs a runnable SDK script up to its first Pipeline.execute() and writes that pipeline's dag, normalised, as JSON.

    python sdk-dag.py 0.50|ours SCRIPT OUT

With runnable 0.50.0 installed (``0.50``) the dag is 0.50's own (``Pipeline._dag``, as 0.50 records it
in ``run_config.dag``); with this checkout's package first on PYTHONPATH (``ours``) it is the dag our SDK
hands to the engine, with the problems it found. Nothing runs: ``execute`` is replaced. Both dags are
normalised alike (``normalise``) so that equal pipelines compare equal.
"""

import json
import os
import runpy
import sys

IGNORED = ("name", "internal_name", "description", "internal_branch_name", "is_composite")
# ours keeps a stub's extra keyword arguments in the definition (February 2024); 0.50 drops them
STUB_KEYS = ("type", "next", "on_failure", "catalog")


def capture_050(captured):
    import runnable.sdk as sdk

    def execute(self, *args, **kwargs):
        if not captured:
            captured.append({"dag": self._dag.model_dump(by_alias=True, exclude_none=True), "problems": []})
        return {}

    sdk.Pipeline.execute = execute


def capture_ours(captured):
    import runnable._engine as engine

    def execute_payload(payload):
        if not captured:
            captured.append({"dag": payload["dag"], "problems": [f"{p['file']}:{p['line']}: {p['message']}" for p in payload["problems"]]})
        return None

    engine.execute_payload = execute_payload


def catalog(value):
    if not value:
        return None
    found = {key: value[key] for key in ("get", "put") if value.get(key)}
    if value.get("store_copy") is False:
        found["store_copy"] = False
    return found


def normalise_node(node, main):
    kind = node["type"]
    out = {}
    for key, value in node.items():
        if key in IGNORED or (kind == "stub" and key not in STUB_KEYS):
            continue
        if key in ("on_failure", "overrides", "returns", "secrets", "optional_ploomber_args") and not value:
            continue
        if key == "max_attempts" and value == 1:
            continue
        if key == "catalog":
            value = catalog(value)
            if value is None:
                continue
        if key == "returns":
            value = [{"name": item["name"], "kind": item.get("kind", "json")} for item in value]
        if key == "command" and value.startswith("__main__."):
            # 0.50 records the script's own functions as __main__.f (they run in its process); ours names the module
            value = main + value[len("__main__") :]
        if key == "branches":
            value = {name: normalise_graph(branch, main) for name, branch in value.items()}
        if key == "branch":
            value = normalise_graph(value, main)
        out[key] = value
    return out


def normalise_graph(graph, main):
    return {"start_at": graph["start_at"], "steps": {name: normalise_node(node, main) for name, node in graph["steps"].items()}}


def main():
    generation, script, out = sys.argv[1:4]
    captured = []
    (capture_050 if generation == "0.50" else capture_ours)(captured)
    sys.argv = [script]
    runpy.run_path(script, run_name="__main__")
    module = os.path.relpath(script)[: -len(".py")].replace(os.sep, ".")
    result = {"dag": normalise_graph(captured[0]["dag"], module), "problems": captured[0]["problems"]} if captured else None
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
