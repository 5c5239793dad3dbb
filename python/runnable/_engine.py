"""Running an SDK pipeline on runnable-ts' engine (the ``runnable`` Node.js command line).

Two ways: ``python3 pipeline.py`` starts the command line and hands it the pipeline on stdin; under
``runnable execute -f pipeline.py`` (``RUNNABLE_SDK_HANDOFF`` names a Unix socket) the pipeline goes
back to the waiting command line instead. Either way the run log comes back as a :class:`RunLog`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any, Dict, List, Optional

HANDOFF_ENV = "RUNNABLE_SDK_HANDOFF"
CLI_ENV = "RUNNABLE_TS_CLI"
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class RunLog(dict):
    """A run log: runnable's JSON as a dict whose keys also read as attributes (``run_log.status``)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"the run log has no field {key!r} (fields: {', '.join(self)})") from None


class EngineNotFoundError(RuntimeError):
    """runnable-ts' command line (Node.js) could not be found."""


def _is_node_script(path: str) -> bool:
    """True for a file that Node.js runs (a .js file, or a script whose first line names node)."""
    if path.endswith((".js", ".mjs", ".cjs")):
        return True
    try:
        with open(path, "rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return b"node" in first and b"python" not in first


def _node() -> str:
    node = os.environ.get("RUNNABLE_TS_NODE") or shutil.which("node")
    if not node:
        raise EngineNotFoundError("runnable-ts needs Node.js 20 or newer to run pipelines: install it (e.g. apt-get install nodejs, or from nodejs.org)")
    return node


def _command_for(path: str) -> List[str]:
    real = os.path.realpath(path)
    if real.endswith((".js", ".mjs", ".cjs")):
        return [_node(), real]
    return [path]


def find_cli() -> List[str]:
    """The command that starts runnable-ts: $RUNNABLE_TS_CLI, this package's own checkout or npm package,
    ``node_modules/.bin/runnable`` in the working directory or above, then ``runnable`` on PATH."""
    chosen = os.environ.get(CLI_ENV)
    if chosen:
        if not os.path.exists(chosen):
            raise EngineNotFoundError(f"{CLI_ENV}={chosen} does not exist; point it at runnable-ts' bin/runnable.js")
        return _command_for(chosen)
    own = os.path.join(_ROOT, "bin", "runnable.js")
    if os.path.isfile(own) and os.path.isfile(os.path.join(_ROOT, "package.json")):
        return [_node(), own]
    folder = os.getcwd()
    while True:
        candidate = os.path.join(folder, "node_modules", ".bin", "runnable")
        if os.path.exists(candidate):
            return _command_for(candidate)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    on_path = shutil.which("runnable")
    if on_path and _is_node_script(os.path.realpath(on_path)):
        return _command_for(on_path)
    raise EngineNotFoundError(
        "runnable-ts' command line was not found (it runs the pipeline): install it in this project with "
        "`npm install runnable-ts` (or globally: `npm install -g runnable-ts`), or set "
        f"{CLI_ENV} to the path of its bin/runnable.js"
    )


def _read_run_log(path: str) -> Optional[Dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return None
    if not text.strip():
        return None
    return json.loads(text, object_hook=RunLog)


def _run_cli(payload: Dict[str, Any]) -> Optional[RunLog]:
    command = find_cli()
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryDirectory(prefix="runnable-sdk-") as folder:
        result = os.path.join(folder, "result.json")
        process = subprocess.run(
            [*command, "execute", "--sdk-payload", "-", "--sdk-result", result],
            input=json.dumps(payload).encode("utf-8"),
            check=False,
        )
        answer = _read_run_log(result)
    if answer is None:
        # the command line printed why (bad input: exit 2); stop like `runnable execute` would
        raise SystemExit(process.returncode or 2)
    return answer.get("run_log")


def _hand_back(address: str, payload: Dict[str, Any]) -> Optional[RunLog]:
    """Sends the pipeline to the ``runnable execute -f`` waiting on ``address``; returns its run log."""
    import socket

    sys.stdout.flush()
    sys.stderr.flush()
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(address)
    except OSError:
        raise RuntimeError(
            "runnable execute -f runs the first pipeline a script executes; this script called "
            "Pipeline.execute() again (run it with python3 to execute several pipelines)"
        ) from None
    with connection:
        connection.sendall(json.dumps(payload).encode("utf-8") + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = connection.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    if not data.strip():
        raise SystemExit(2)
    answer = json.loads(data.decode("utf-8"), object_hook=RunLog)
    if "exit" in answer:
        raise SystemExit(answer["exit"])
    return answer.get("run_log")


def execute_payload(payload: Dict[str, Any]) -> Optional[RunLog]:
    """Runs a serialised pipeline; returns its run log (None when the executor only wrote a definition)."""
    if os.environ.get("RUNNABLE_TASK_CHANNEL"):
        raise RuntimeError(
            "Pipeline.execute() was called inside a running task (its module builds and runs the pipeline "
            'when imported); put that code under if __name__ == "__main__":'
        )
    address = os.environ.get(HANDOFF_ENV)
    if address:
        return _hand_back(address, payload)
    try:
        return _run_cli(payload)
    except EngineNotFoundError as error:
        sys.stderr.write(f"error: {error}\n")
        raise SystemExit(2) from None
