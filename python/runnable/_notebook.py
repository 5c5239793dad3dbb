"""Runs one ``notebook`` task: ``python -m runnable._notebook`` inside the task channel.

Executes the notebook headlessly with nbclient on a Jupyter kernel (which inherits the channel and
PYTHONPATH, so the in-task API and the env-var protocol work inside cells), injects the parameters
after the cell tagged ``parameters`` (JSON parameters only: objects are not injected, as in runnable
0.50), streams cell output, reads the ``runnable_output`` cells back as parameters, hands back the
variables the step's ``returns`` name (read in the kernel after the last cell) and writes the executed
notebook. Exit code 3 means nbclient/nbformat are missing.
"""

from __future__ import annotations

import ast
import keyword
import os
import re
import sys
from typing import Any, Dict, List, Optional

from . import _context
from ._coerce import jsonable

MISSING_PACKAGES = 3
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# runnable-ts' package goes ahead of the working directory, so `from runnable import ...` finds it.
_PATH_CODE = f"import sys as _s; _s.path.insert(0, {_PACKAGE_ROOT!r}); del _s"
_DUMP_CODE = "__import__('runnable._context', fromlist=['_']).dump_env()"


def _echo(output: Any) -> None:
    """Writes one cell output to this process' stdout/stderr as it arrives."""
    kind = output.get("output_type")
    if kind == "stream":
        target = sys.stderr if output.get("name") == "stderr" else sys.stdout
        target.write(output.get("text", ""))
    elif kind in ("execute_result", "display_data"):
        text = output.get("data", {}).get("text/plain")
        if text:
            sys.stdout.write(f"{text}\n")
    elif kind == "error":
        sys.stderr.write(_ANSI.sub("", "\n".join(output.get("traceback", []))) + "\n")
    else:
        return
    sys.stdout.flush()
    sys.stderr.flush()


def inject_parameters(nb: Any, parameters: Dict[str, Any], new_cell: Any) -> None:
    """Adds a cell assigning every parameter after the cell tagged ``parameters`` (or first)."""
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    lines = ["# Parameters injected by runnable"]
    for name, value in parameters.items():
        if name.isidentifier() and not keyword.iskeyword(name):
            lines.append(f"{name} = {value!r}")
    cell = new_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    at = 0
    for index, existing in enumerate(nb.cells):
        if "parameters" in existing.get("metadata", {}).get("tags", []):
            at = index + 1
            break
    nb.cells.insert(at, cell)


def read_outputs(nb: Any, tag: str) -> Dict[str, Any]:
    """Parameters printed (as a dict literal) by the cells tagged ``tag``; later cells win."""
    found: Dict[str, Any] = {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or tag not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            text = _output_text(output)
            if not text or not text.strip():
                continue
            try:
                value = ast.literal_eval(text.strip())
            except (ValueError, SyntaxError):
                raise ValueError(f"a cell tagged {tag} must print a dict literal, it printed: {text.strip()[:200]}") from None
            if not isinstance(value, dict):
                raise ValueError(f"a cell tagged {tag} must print a dict, it printed a {type(value).__name__}")
            found.update(jsonable(value, where=f"output of the cell tagged {tag}"))
    return found


def _output_text(output: Any) -> Optional[str]:
    if output.get("output_type") == "stream" and output.get("name") == "stdout":
        return output.get("text")
    if output.get("output_type") == "execute_result":
        return output.get("data", {}).get("text/plain")
    return None


def _client_class(base: Any) -> Any:
    class StreamingClient(base):  # type: ignore[misc, valid-type]
        """nbclient's client, echoing each output as it arrives."""

        def output(self, outs: Any, msg: Any, display_id: Any, cell_index: int) -> Any:
            out = super().output(outs, msg, display_id, cell_index)
            if out is not None:
                _echo(out)
            return out

    return StreamingClient


def _run_hidden(client: Any, nb: Any, new_cell: Any, code: str) -> None:
    """Runs code in the kernel through a temporary cell that is removed again."""
    nb.cells.append(new_cell(code))
    try:
        client.execute_cell(nb.cells[-1], len(nb.cells) - 1, store_history=False)
    finally:
        nb.cells.pop()


def _returns_code(returns: List[Dict[str, Any]], objects_dir: str, out: str) -> str:
    """Kernel code writing the variables named by ``returns`` to ``out`` (objects pickled into ``objects_dir``)."""
    return f"__import__('runnable._returns', fromlist=['_']).dump_namespace(globals(), {returns!r}, {objects_dir!r}, {out!r})"


def execute(nb: Any, info: Dict[str, Any], modules: Dict[str, Any], after: Optional[str] = None) -> Optional[str]:
    """Executes every cell, then ``after`` (hidden) when they all ran; returns the failure (``ename: evalue``) or None."""
    client = _client_class(modules["NotebookClient"])(
        nb, timeout=None, kernel_name=info.get("kernel") or "python3", resources={"metadata": {"path": os.getcwd()}}
    )
    new_cell = modules["new_code_cell"]
    client.reset_execution_trackers()
    failure = None
    with client.setup_kernel():
        _run_hidden(client, nb, new_cell, _PATH_CODE)
        client.code_cells_executed = 0
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            if after:
                _run_hidden(client, nb, new_cell, after)
        except modules["CellExecutionError"] as error:
            failure = f"{error.ename}: {error.evalue}" if getattr(error, "ename", None) else str(error).strip().splitlines()[-1]
        finally:
            try:
                _run_hidden(client, nb, new_cell, _DUMP_CODE)
            except Exception:  # noqa: BLE001 (a dead kernel cannot dump its environment)
                pass
    return failure


def _load_modules() -> Optional[Dict[str, Any]]:
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError:
        return None
    return {"nbformat": nbformat, "NotebookClient": NotebookClient, "CellExecutionError": CellExecutionError, "new_code_cell": nbformat.v4.new_code_cell}


def run_notebook(ctx: Dict[str, Any], modules: Dict[str, Any]) -> Dict[str, Any]:
    """Runs the notebook the context describes; returns what goes into ``result.json``."""
    nbformat = modules["nbformat"]
    info = ctx["notebook"]
    nb = nbformat.read(info["input"], as_version=4)
    kinds = dict(ctx.get("parameter_kinds") or {})
    injected = {k: v for k, v in dict(ctx.get("parameters") or {}).items() if kinds.get(k) != "object"}
    inject_parameters(nb, injected, modules["new_code_cell"])
    returns = list(ctx.get("returns") or [])
    channel = _context.require_channel("the notebook task harness")
    out = os.path.join(channel, "returns.json")
    after = _returns_code(returns, os.path.join(channel, "objects"), out) if returns else None
    try:
        failure = execute(nb, info, modules, after)
    except Exception as error:  # noqa: BLE001 (kernel start-up and the like)
        return {"ok": False, "error": _startup_failure(error, info)}
    _write_notebook(nbformat, nb, info["output"])
    if failure:
        return {"ok": False, "error": failure}
    try:
        result = {"ok": True, "parameters": read_outputs(nb, info.get("output_cell_tag") or "runnable_output")}
    except (ValueError, TypeError) as error:
        return {"ok": False, "error": str(error)}
    return _with_returns(result, out) if returns else result


def _with_returns(result: Dict[str, Any], out: str) -> Dict[str, Any]:
    """The result with the returns the kernel wrote (or the kernel's failure to write them)."""
    import json  # noqa: PLC0415

    try:
        with open(out, encoding="utf-8") as handle:
            written = json.load(handle)
    except (OSError, ValueError):
        return {"ok": False, "error": "the notebook's returned values could not be read from its kernel"}
    if not written.get("ok"):
        return {"ok": False, "error": str(written.get("error"))}
    return {**result, "returns": written.get("returns") or {}}


def _startup_failure(error: Exception, info: Dict[str, Any]) -> str:
    if type(error).__name__ == "NoSuchKernel":
        kernel = info.get("kernel") or "python3"
        python = sys.executable
        return (
            f'no Jupyter kernel named "{kernel}": install ipykernel for the Python that runs notebooks and register '
            f"the kernel: {python} -m pip install ipykernel && {python} -m ipykernel install --user --name {kernel} "
            "(Debian/Ubuntu: apt-get install python3-ipykernel), or choose an installed kernel in the config: "
            "task_runners: {python: {kernel: python3}}"
        )
    return f"the notebook could not run: {type(error).__name__}: {error}"


def _write_notebook(nbformat: Any, nb: Any, path: str) -> None:
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    nbformat.write(nb, temporary)
    os.replace(temporary, path)


def main() -> int:
    """Entry point of ``python -m runnable._notebook``."""
    _context.require_channel("the notebook task harness")
    modules = _load_modules()
    if modules is None:
        return MISSING_PACKAGES
    try:
        result = run_notebook(_context.context(), modules)
    except Exception as error:  # noqa: BLE001 (unreadable notebook and the like)
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    sys.stdout.flush()
    sys.stderr.flush()
    _context.write_json("result.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
