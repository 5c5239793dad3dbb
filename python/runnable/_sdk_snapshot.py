"""A pipeline's snapshot: runnable's YAML ``dag`` mapping, where each step was written and the problems found.

Two ways to link the steps, one per generation of runnable's SDK:
- February 2024 (``Pipeline(steps=[...], start_at=a)``): steps are linked by the user (``a >> b``,
  ``next=``, ``depends_on``), ``start_at`` names the first one;
- runnable 0.50 (``Pipeline(steps=[...])``, no ``start_at``): steps run in list order, the last one goes
  to ``success`` unless it says ``terminate_with_failure``, only the last one may terminate, and the
  steps of a ``Pipeline`` given as a step's ``on_failure`` join the graph (0.50's ``sdk.Pipeline``).
Steps are duck-typed (``_to_dag``, ``_problems_of``, ``_branch_snapshots``), so new kinds need no change here.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs a script's start-up
    from typing import Any, Dict, List, Tuple

from ._sdk_base import Fail, Success, _Terminal, _Traversal, is_step
from ._sdk_problems import Problem, describe

if TYPE_CHECKING:
    from ._sdk_problems import Where

    Path = List[Any]


class Snapshot:
    """A pipeline as it was when ``Pipeline(...)`` ran: runnable's YAML ``dag`` mapping, positions, problems."""

    __slots__ = ("dag", "positions", "problems")

    def __init__(self) -> None:
        self.dag: Dict[str, Any] = {}
        self.positions: List[Tuple[Path, Where]] = []
        self.problems: List[Tuple[Path, Problem]] = []

    def merge(self, prefix: Path, other: "Snapshot") -> None:
        """Adds a branch's positions and problems under ``prefix``."""
        self.positions += [(prefix + path, where) for path, where in other.positions]
        self.problems += [(prefix + path, problem) for path, problem in other.problems]


def take_snapshot(pipeline: Any) -> Snapshot:
    """The snapshot of a ``Pipeline`` (its attributes as set by its constructor)."""
    snapshot = Snapshot()
    snapshot.problems += [([], problem) for problem in pipeline._problems]
    steps = _unique([step for step in pipeline.steps if _checked_step(step, pipeline._where, snapshot)], pipeline._where, snapshot)
    if pipeline._in_list_order:
        _link_in_order(steps, pipeline._where, snapshot)
        start = steps[0].name if steps else ""
    else:
        start = _start_name(pipeline, snapshot)
    nodes = _add_steps(steps, snapshot)
    if pipeline.add_terminal_nodes:
        for kind, cls in (("success", Success), ("fail", Fail)):
            if not any(isinstance(s, cls) for s in steps) and kind not in nodes:
                nodes[kind] = {"type": kind}
    snapshot.dag = {"start_at": start, "steps": nodes}
    if pipeline.description:
        snapshot.dag["description"] = pipeline.description
    if pipeline.name:
        snapshot.dag["name"] = pipeline.name
    snapshot.positions.append(([], pipeline._where))
    return snapshot


def _checked_step(step: Any, where: Where, snapshot: Snapshot) -> bool:
    if is_step(step):
        return True
    message = f"Pipeline steps must be steps (PythonTask, ShellTask, NotebookTask, Task, Stub, Parallel, Map, Conditional, Loop, Success or Fail), got {describe(step)}"
    snapshot.problems.append((["steps"], Problem(message, where)))
    return False


def _unique(steps: List[Any], where: Where, snapshot: Snapshot) -> List[Any]:
    """The steps without repeated names (each repeat is one problem), so that one mistake is reported once."""
    unique: Dict[str, Any] = {}
    reported = set()
    for step in steps:
        first = unique.setdefault(step.name, step)
        if first is step and steps.count(step) == 1 or step.name in reported:
            continue
        reported.add(step.name)
        if first is step:
            message = f'step "{step.name}" appears more than once in steps=[...]; list each step once'
            snapshot.problems.append((["steps", step.name], Problem(message, where)))
        else:
            message = f'two steps are named "{step.name}"; every step of a pipeline needs its own name'
            snapshot.problems.append((["steps", step.name], Problem(message, step._where)))
    return list(unique.values())


def _link_in_order(steps: List[Any], where: Where, snapshot: Snapshot) -> None:
    """runnable 0.50's linking: each step goes to the next one in the list, the last one to success (or fail)."""
    if not steps:
        snapshot.problems.append((["steps"], Problem("Pipeline(steps=[...]) needs at least one step", where)))
        return
    last = steps[-1]
    if isinstance(last, _Traversal) and not last.terminate_with_failure:
        last.terminate_with_success, last.next_node = True, "success"
    for step, following in zip(steps, steps[1:]):
        path: Path = ["steps", step.name]
        if isinstance(step, _Terminal):
            snapshot.problems.append((path, Problem(f'the terminal step "{step.name}" must be the last of the pipeline\'s steps', step._where)))
        elif step.terminate_with_success or step.terminate_with_failure:
            flag = "terminate_with_success" if step.terminate_with_success else "terminate_with_failure"
            message = (
                f'step "{step.name}" has {flag}=True but is not the last step: A pipeline can only have one termination node '
                "with success or failure, its last step; remove the flag or move the step to the end"
            )
            snapshot.problems.append((path + ["next"], Problem(message, step._where, ["next"])))
            step.next_node = following.name  # reported: linked anyway, so that the following steps are not reported unreachable
        elif step.next_node and step.next_node != following.name:
            message = (
                f'step "{step.name}" already goes to "{step.next_node}", but Pipeline(steps=[...]) runs it before "{following.name}"; '
                "drop next_node (the list gives the order)"
            )
            snapshot.problems.append((path + ["next"], Problem(message, step._where, ["next"])))
        else:
            step.next_node = following.name


def _add_steps(steps: List[Any], snapshot: Snapshot) -> Dict[str, Any]:
    """The steps' mappings by name, then the steps of every ``on_failure`` pipeline (each once)."""
    nodes: Dict[str, Any] = {}
    failures: List[Any] = []
    for step in steps:
        _add_step(step, nodes, snapshot)
        failure = step._failure_pipeline() if isinstance(step, _Traversal) else None
        if failure is not None and all(failure is not seen for seen in failures):
            failures.append(failure)
    for failure in failures:
        _add_failure_steps(failure._snapshot, nodes, snapshot)
    return nodes


def _add_step(step: Any, nodes: Dict[str, Any], snapshot: Snapshot) -> None:
    path: Path = ["steps", step.name]
    if step.name in nodes:
        message = f'two steps are named "{step.name}"; every step of a pipeline needs its own name'
        snapshot.problems.append((path, Problem(message, step._where)))
        return
    problems = step._problems_of()
    nodes[step.name] = step._to_dag(problems)
    snapshot.positions.append((path, step._where))
    snapshot.problems += [(path + problem.path, problem) for problem in problems]
    for relative, branch in step._branch_snapshots():
        snapshot.merge(path + relative, branch)


def _add_failure_steps(other: Snapshot, nodes: Dict[str, Any], snapshot: Snapshot) -> None:
    """Adds the steps of an ``on_failure`` pipeline (not its success/fail nodes: the pipeline has its own)."""
    under = lambda path, name: len(path) >= 2 and path[0] == "steps" and path[1] == name  # noqa: E731
    for name, node in other.dag.get("steps", {}).items():
        if name in ("success", "fail") and isinstance(node, dict) and node.get("type") == name:
            continue
        where = next((w for p, w in other.positions if p == ["steps", name]), ("", 0, 0))
        if name in nodes:
            message = f'two steps are named "{name}" (one of them in an on_failure pipeline); every step of a pipeline needs its own name'
            snapshot.problems.append((["steps", name], Problem(message, where)))
            continue
        nodes[name] = node
        snapshot.positions += [(p, w) for p, w in other.positions if under(p, name)]
        snapshot.problems += [(p, problem) for p, problem in other.problems if under(p, name)]
    snapshot.problems += [(p, problem) for p, problem in other.problems if not (p and p[0] == "steps" and len(p) >= 2)]


def _start_name(pipeline: Any, snapshot: Snapshot) -> str:
    start = pipeline.start_at
    if isinstance(start, _Terminal):
        snapshot.problems.append((["start_at"], Problem("A success or fail node cannot be the start_at of the graph", pipeline._where)))
        return start.name
    if isinstance(start, _Traversal):
        return start.name
    if isinstance(start, str) and start:
        return start
    snapshot.problems.append((["start_at"], Problem(f"Pipeline start_at must be one of its steps, got {describe(start)}", pipeline._where)))
    return ""
