"""A warm worker: runs the ``python`` tasks of one run, one after another, in one interpreter.

Started by the python task runner, which names a Unix socket in ``RUNNABLE_WORKER_SOCKET``. The
worker connects, says ``hello`` (its pid and interpreter) and then serves JSON-line requests
``{"op": "run", "channel": DIR, "cwd": DIR, "env": {...}}``: it answers ``started`` at once, runs
the task of that channel like the one-shot harness and answers ``done`` with what the harness
would write to ``result.json`` and ``env.json``. End of input ends it.

Every task gets what a fresh process would give it: the attempt's environment (parameters, secrets,
run variables) and working directory, the in-task API reset to the attempt's channel, its own
stdout/stderr (file descriptors 1 and 2 are pointed at two connections to the attempt's channel
socket while it runs, so the output of subprocesses and C code is captured too), and its exceptions
contained; processes it started and left running are killed when it returns. Modules it imported
stay imported (as in runnable, which runs functions in its process).
Between tasks, descriptors 1 and 2 point at /dev/null.
"""

from __future__ import annotations

import json
import os
import socket
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only
    from typing import Any, Dict, List

WORKER_ENV = "RUNNABLE_WORKER_SOCKET"
# First byte of an output connection: which stream it carries.
STDOUT_TAG = b"\x01"
STDERR_TAG = b"\x02"


def _send(conn: socket.socket, message: Dict[str, Any]) -> None:
    conn.sendall((json.dumps(message) + "\n").encode("utf-8"))


def _flush_python_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass  # closed or replaced by the task


_libc: Dict[str, Any] = {}


def _flush_c_streams() -> None:
    """Flushes C stdio buffers (output of extension modules), so it lands in the task that wrote it."""
    if "fflush" not in _libc:
        try:
            import ctypes  # noqa: PLC0415 (only when a task has ended)

            _libc["fflush"] = ctypes.CDLL(None).fflush
        except (ImportError, OSError, AttributeError):
            _libc["fflush"] = None
    if _libc["fflush"] is not None:
        _libc["fflush"](None)


def _point_output(stdout_fd: int, stderr_fd: int) -> None:
    """Points descriptors 1 and 2 (and so sys.stdout/sys.stderr) at the given descriptors."""
    _flush_python_streams()
    os.dup2(stdout_fd, 1)
    os.dup2(stderr_fd, 2)


def _restore_python_streams() -> None:
    """Undoes a task's replacement of sys.stdout/sys.stderr."""
    if sys.__stdout__ is not None and not sys.__stdout__.closed:
        sys.stdout = sys.__stdout__
    if sys.__stderr__ is not None and not sys.__stderr__.closed:
        sys.stderr = sys.__stderr__


def _set_environ(env: Dict[str, str]) -> None:
    """Makes os.environ (and the C environment subprocesses inherit) exactly ``env``."""
    for name in [name for name in os.environ if name not in env]:
        del os.environ[name]
    for name, value in env.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def _reset_api() -> None:
    """Forgets what the in-task API remembered for the previous task."""
    api = sys.modules.get("runnable")
    changed = getattr(api, "_changed", None)
    if isinstance(changed, dict):
        changed.clear()


def _end_children() -> None:
    """Kills what the task left running, as the end of a one-shot harness process would (Linux /proc)."""
    import signal  # noqa: PLC0415

    me = os.getpid()
    try:
        threads = os.listdir(f"/proc/{me}/task")
    except OSError:
        return
    for thread in threads:
        try:
            with open(f"/proc/{me}/task/{thread}/children", encoding="ascii") as handle:
                children = handle.read().split()
        except OSError:
            continue
        for child in children:
            try:
                os.kill(int(child), signal.SIGKILL)
            except (OSError, ValueError):
                pass  # gone already


def _output_connection(path: str, tag: bytes) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    conn.sendall(tag)
    return conn


def run_one(request: Dict[str, Any], devnull: int, opened: List[socket.socket]) -> Dict[str, Any]:
    """Runs the task of one request (its channel gets the events, as in the one-shot harness); returns its result.

    The output connections it makes are added to ``opened`` (the runner waits for as many to end).
    """
    import importlib  # noqa: PLC0415

    from . import _context, _harness  # noqa: PLC0415

    _set_environ({str(k): str(v) for k, v in dict(request.get("env") or {}).items()})
    os.chdir(str(request.get("cwd") or os.getcwd()))
    importlib.invalidate_caches()  # files written by earlier tasks are importable
    _reset_api()
    _context.forget()  # the folder may be the one an earlier task had
    context = _context.context()
    for tag in (STDOUT_TAG, STDERR_TAG):
        opened.append(_output_connection(str(context["socket"]), tag))
    _point_output(opened[0].fileno(), opened[1].fileno())
    for stream in opened:
        stream.close()  # descriptors 1 and 2 hold them now
    try:
        result = _harness.run_task(context)
    finally:
        _end_children()
        _restore_python_streams()
        _flush_python_streams()
        _flush_c_streams()
        _point_output(devnull, devnull)  # the output connections end here
    return result


def _done(opened: List[socket.socket], result: Dict[str, Any]) -> Dict[str, Any]:
    """The ``done`` answer: the result and the env-var protocol values (``result.json``/``env.json`` of the harness)."""
    from . import _context  # noqa: PLC0415

    message = {"done": True, "streams": len(opened), "result": result, "env": _context.task_env()}
    try:
        json.dumps(result)
    except (TypeError, ValueError) as error:
        message["result"] = {"ok": False, "error": f"the returned parameters are not JSON: {error}"}
    return message


def _serve(conn: socket.socket, devnull: int) -> None:
    with conn.makefile("rb") as requests:
        for line in requests:
            request = json.loads(line)
            if request.get("op") != "run":
                return
            _send(conn, {"started": True})
            opened: List[socket.socket] = []
            try:
                result = run_one(request, devnull, opened)
                _send(conn, _done(opened, result))
            except Exception as error:  # noqa: BLE001 (a broken channel fails this task, not the worker)
                for stream in opened:
                    stream.close()
                _send(conn, {"done": True, "streams": len(opened), "error": f"{type(error).__name__}: {error}"})


def main() -> int:
    """Entry point: connect, say hello, serve requests until the runner closes the connection."""
    path = os.environ.pop(WORKER_ENV)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    _send(conn, {"hello": os.getpid(), "executable": sys.executable or ""})
    devnull = os.open(os.devnull, os.O_WRONLY)
    _point_output(devnull, devnull)
    _serve(conn, devnull)
    return 0


if __name__ == "__main__":
    sys.exit(main())
