"""Running an SDK pipeline on runnable-ts' engine (the ``runnable`` Node.js command line).

Two ways: ``python3 pipeline.py`` starts the command line and hands it the pipeline on stdin; under
``runnable execute -f pipeline.py`` (``RUNNABLE_SDK_HANDOFF`` names a Unix socket) the pipeline goes
back to the waiting command line instead. Either way the run log comes back as a :class:`RunLog`.
The command line is started with ``os.posix_spawn``, the pipeline on its stdin and the run log back in
a file of a private folder: ``subprocess``, ``tempfile`` and ``shutil`` cost a script more to import than
the hand-off itself. (Not a pipe: the command line's task processes would inherit its end.)
"""

from __future__ import annotations

import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: typing costs a script's start-up
    from typing import Any, Dict, List, Optional, Tuple

HANDOFF_ENV = "RUNNABLE_SDK_HANDOFF"
CLI_ENV = "RUNNABLE_TS_CLI"
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The command line the wheel carries (npm run build:python); absent in a clone and in the npm package.
_BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_cli", "bin", "runnable.js")


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
    """True for a file that Node.js runs (a .js file, a script whose first line names node, or runnable-ts'
    bin/runnable, the shell script beside bin/runnable.js)."""
    if path.endswith((".js", ".mjs", ".cjs")):
        return True
    if os.path.basename(path) == "runnable" and os.path.isfile(os.path.join(os.path.dirname(path), "runnable.js")):
        return True
    try:
        with open(path, "rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return b"node" in first and b"python" not in first


def _which(name: str) -> Optional[str]:
    """The first executable ``name`` on PATH (``shutil.which`` without importing shutil)."""
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or ".", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _node() -> str:
    node = os.environ.get("RUNNABLE_TS_NODE") or _which("node")
    if not node:
        raise EngineNotFoundError(
            "runnable-ts needs Node.js 20 or newer, and `node` is not on PATH: install it (https://nodejs.org/en/download, "
            "or your system's nodejs package when it is 20+), or set RUNNABLE_TS_NODE to its path"
        )
    return node


def _node_command(script: str) -> List[str]:
    """``node bin/runnable.js``, or ``node --snapshot-blob dist/cli/runnable.blob --`` when the command
    line's start-up snapshot beside it was built by this node (as bin/runnable and src/io/cli-launch.ts
    decide: the binary's path in runnable.blob.node, the blob newer than the binary)."""
    node = _node()
    blob = os.path.join(os.path.dirname(os.path.dirname(script)), "dist", "cli", "runnable.blob")
    if not os.environ.get("RUNNABLE_NO_SNAPSHOT"):
        try:
            with open(blob + ".node", encoding="utf-8") as handle:
                built = handle.readline().strip()
            real = os.path.realpath(node)
            if built == real and os.stat(blob).st_mtime > os.stat(real).st_mtime:
                return [node, "--snapshot-blob", blob, "--"]
        except OSError:
            pass
    return [node, script]


def _command_for(path: str) -> List[str]:
    real = os.path.realpath(path)
    if real.endswith((".js", ".mjs", ".cjs")):
        return _node_command(real)
    return [path]


def find_cli() -> List[str]:
    """The command that starts runnable-ts: $RUNNABLE_TS_CLI, the copy the wheel carries, this package's own
    checkout or npm package, ``node_modules/.bin/runnable`` in the working directory or above, then
    ``runnable`` on PATH."""
    chosen = os.environ.get(CLI_ENV)
    if chosen:
        if not os.path.exists(chosen):
            raise EngineNotFoundError(f"{CLI_ENV}={chosen} does not exist; point it at runnable-ts' bin/runnable.js")
        return _command_for(chosen)
    if os.path.isfile(_BUNDLED):
        return _node_command(_BUNDLED)
    own = os.path.join(_ROOT, "bin", "runnable.js")
    if os.path.isfile(own) and os.path.isfile(os.path.join(_ROOT, "package.json")):
        return _node_command(own)
    folder = os.getcwd()
    while True:
        candidate = os.path.join(folder, "node_modules", ".bin", "runnable")
        if os.path.exists(candidate):
            return _command_for(candidate)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    on_path = _which("runnable")
    if on_path and _is_node_script(os.path.realpath(on_path)):
        return _command_for(on_path)
    raise EngineNotFoundError(
        "runnable-ts' command line was not found (it runs the pipeline): install the wheel that carries it "
        "(`pip install runnable_ts-<version>-py3-none-any.whl`, built by `npm run build:python`), or the npm package "
        "in this project (`npm install <path to runnable-ts-<version>.tgz>`, from `npm pack`), or set "
        f"{CLI_ENV} to the path of its bin/runnable.js"
    )


def _spawn(argv: List[str], stdin_fd: int) -> int:
    """Starts ``argv`` with ``stdin_fd`` as its standard input; returns its pid."""
    executable = argv[0] if os.sep in argv[0] else (_which(argv[0]) or argv[0])
    return os.posix_spawn(executable, argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, stdin_fd, 0)])


def _send(payload: bytes, fd: int) -> bool:
    """Writes the pipeline to the command line's stdin, then closes it; True when Ctrl-C came meanwhile."""
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:  # it stopped before reading it all: its exit says why
        pass
    except KeyboardInterrupt:
        return True
    finally:
        os.close(fd)
    return False


def _wait(pid: int) -> Tuple[int, bool]:
    """The exit code of ``pid``, and whether Ctrl-C came meanwhile. Ctrl-C reaches the command line too
    (same process group), which stops the run and still answers: its end is awaited."""
    interrupted = False
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except KeyboardInterrupt:
            interrupted = True
            continue
        return (os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)), interrupted


def _private_folder() -> str:
    """A new folder only this user can enter, under $TMPDIR (``tempfile.mkdtemp`` without importing tempfile)."""
    base = os.environ.get("TMPDIR") or "/tmp"
    while True:
        folder = os.path.join(base, f"runnable-sdk-{os.getpid()}-{os.urandom(6).hex()}")
        try:
            os.mkdir(folder, 0o700)
            return folder
        except FileExistsError:
            continue


def _take_answer(folder: str) -> Optional[RunLog]:
    """The command line's answer (then the folder is removed); None when it wrote none."""
    path = os.path.join(folder, "result.json")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        text = ""
    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))
    os.rmdir(folder)
    return json.loads(text, object_hook=RunLog) if text.strip() else None


def _run_cli(payload: Dict[str, Any]) -> Optional[RunLog]:
    command = find_cli()
    sys.stdout.flush()
    sys.stderr.flush()
    folder = _private_folder()
    payload_read, payload_write = os.pipe()
    try:
        pid = _spawn([*command, "execute", "--sdk-payload", "-", "--sdk-result", os.path.join(folder, "result.json")], payload_read)
    except OSError as error:
        os.close(payload_write)
        os.rmdir(folder)
        raise EngineNotFoundError(f"runnable-ts' command line could not be started ({' '.join(command)}): {error}") from None
    finally:
        os.close(payload_read)
    interrupted = _send(json.dumps(payload).encode("utf-8"), payload_write)
    code, stopped = _wait(pid)
    answer = _take_answer(folder)
    if interrupted or stopped:
        raise KeyboardInterrupt  # the run was stopped (it is recorded as such): the script stops too, as on any Ctrl-C
    if answer is None:
        # the command line printed why (bad input: exit 2); stop like `runnable execute` would
        raise SystemExit(code or 2)
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
