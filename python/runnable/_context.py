"""The task channel: how Python code inside a runnable-ts task talks to the engine.

The task runner creates a private folder and names it in ``RUNNABLE_TASK_CHANNEL``. It holds:

* ``context.json`` (written by the engine): run id, tag, step names, parameters, map variable,
  tracker context and the path of a Unix socket for catalog/secret requests;
* ``events.jsonl`` (appended here): parameters set and metrics tracked, one JSON object a line;
* ``result.json`` and ``env.json`` (written by the harnesses when the task ends).

Nothing travels through stdout, so user output can never be mistaken for a protocol message.
"""

from __future__ import annotations

import json
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: typing is not imported when tasks run
    from typing import Any, Dict, Optional

CHANNEL_ENV = "RUNNABLE_TASK_CHANNEL"
PARAMETER_PREFIXES = ("RUNNABLE_PRM_", "runnable_PRM_")
TRACK_PREFIXES = ("RUNNABLE_TRACK_", "runnable_TRACK_")

_cache: Dict[str, Any] = {}


class ChannelError(RuntimeError):
    """Raised when the in-task API is used outside a task that runnable-ts runs."""


def channel_dir() -> Optional[str]:
    """The channel folder of the running task, or None outside runnable-ts tasks."""
    return os.environ.get(CHANNEL_ENV) or None


def require_channel(api: str) -> str:
    """The channel folder, or a clear error naming the API that needs it."""
    folder = channel_dir()
    if not folder:
        raise ChannelError(
            f"{api}() can only be called inside a task that runnable runs "
            f"({CHANNEL_ENV} is not set in this process)"
        )
    return folder


def context() -> Dict[str, Any]:
    """The task's context (read once per process); an empty mapping outside tasks."""
    folder = channel_dir()
    if not folder:
        return {}
    if _cache.get("folder") != folder:
        with open(os.path.join(folder, "context.json"), encoding="utf-8") as handle:
            _cache["context"] = json.load(handle)
        _cache["folder"] = folder
    return _cache["context"]


def forget() -> None:
    """Drops the cached context (a warm worker's next task may get the same channel folder)."""
    _cache.clear()


def now_ms() -> int:
    """Wall-clock time in epoch milliseconds (what metrics record)."""
    return int(time.time() * 1000)


def append_event(event: Dict[str, Any]) -> None:
    """Appends one event to ``events.jsonl`` (one write, so lines never interleave)."""
    folder = require_channel(event.get("kind", "event"))
    line = json.dumps(event, allow_nan=False, separators=(",", ":")) + "\n"
    with _private(os.path.join(folder, "events.jsonl"), "a") as handle:
        handle.write(line)


def call(op: str, **args: Any) -> Any:
    """Asks the engine to do something (catalog, secrets, run log) over the task's Unix socket."""
    import socket

    folder = require_channel(op)
    path = context().get("socket") or os.path.join(folder, "api.sock")
    request = json.dumps({"id": 1, "op": op, "args": args}) + "\n"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(path)
        conn.sendall(request.encode("utf-8"))
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    if not data:
        raise ChannelError(f"the engine did not answer the {op} request")
    answer = json.loads(data.decode("utf-8"))
    if not answer.get("ok"):
        raise RuntimeError(answer.get("error") or f"{op} failed")
    return answer.get("result")


def write_json(name: str, value: Any) -> None:
    """Writes ``<channel>/<name>`` atomically (temp file, then rename)."""
    folder = channel_dir()
    if not folder:
        return
    target = os.path.join(folder, name)
    temporary = f"{target}.{os.getpid()}.tmp"
    with _private(temporary, "w") as handle:
        json.dump(value, handle)
    os.replace(temporary, target)


def _private(path: str, mode: str) -> Any:
    """Opens a channel file owner-only (it can hold parameters and secrets), whatever the task's umask."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    return os.fdopen(os.open(path, flags, 0o600), mode, encoding="utf-8")


def task_env() -> Dict[str, str]:
    """The parameter and tracking variables of this process (the env-var protocol)."""
    prefixes = PARAMETER_PREFIXES + TRACK_PREFIXES
    return {k: v for k, v in os.environ.items() if k.startswith(prefixes)}


def dump_env() -> None:
    """Writes the parameter and tracking variables of this process to ``env.json`` (env protocol)."""
    write_json("env.json", task_env())
