"""What graded learner code may do, checked on its syntax tree before it runs.

The grader keeps only this from an answer cell (:func:`filter_answer_cell`):
imports of :data:`ALLOWED_MODULES`, ``def`` functions without decorators, and
constants written as literals (``answers = {"majority": "多数"}``). Inside a
graded function (:func:`function_problems`) the code may not import, reach
the interpreter (``eval``, ``getattr``, ``sys``, ``__class__`` ...), catch
``BaseException`` (which would swallow the time limit), call the library's own
version of a handler (``RaftNode.handle_request_vote``, ``super()``), or
assign to anything but ``self``'s state and its own local variables, so it
cannot patch ``raftlib`` or the checker. These rules are a tripwire for
cheating, not a sandbox: graded code still runs with the grader's rights.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from typing import Any

from .common import HANDLERS, RefusedCode
from .messages import say

ALLOWED_MODULES = frozenset({
    "__future__", "math", "itertools", "collections", "functools", "fractions", "statistics",
    "operator", "bisect", "heapq", "random", "string", "numbers", "typing",
    "matplotlib", "numpy", "pandas", "raftlib"})

DENIED_NAMES = frozenset({
    "__import__", "__builtins__", "__loader__", "__spec__", "eval", "exec", "compile", "globals",
    "locals", "vars", "getattr", "setattr", "delattr", "open", "breakpoint", "input", "exit",
    "quit", "help", "memoryview", "type", "object", "super", "classmethod", "staticmethod",
    "property", "RaftNode", "get_ipython", "sys", "os", "builtins", "importlib", "subprocess",
    "signal", "ctypes", "gc", "inspect", "threading", "multiprocessing", "socket", "shutil",
    "pathlib", "io", "atexit", "linecache", "traceback"})

#: Attributes that lead from any object back to the interpreter (frames, code, the MRO).
DENIED_ATTRIBUTES = DENIED_NAMES | frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame",
    "ag_code", "ag_await", "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_trace",
    "tb_frame", "tb_next", "co_code", "co_consts", "co_names", "mro", "checks", "attrgetter",
    "methodcaller", "Formatter", "get_type_hints", "ForwardRef"})

#: The few underscore names that are ordinary Python (named tuples' methods).
SAFE_PRIVATE = frozenset({"_replace", "_asdict", "_fields", "_make"})

_HANDLERS = frozenset(HANDLERS)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def function_problems(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Every rule the function ``func`` breaks, as readable sentences (empty: fine)."""
    problems: list[str] = []
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
    self_name = params[0] if params else None
    local = _bound_names(func)
    docstrings = {id(n.body[0].value) for n in ast.walk(func)
                  if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}

    def flag(node: ast.AST, text: str) -> None:
        line = getattr(node, "lineno", func.lineno) - func.lineno + 1
        problems.append(say("lint_line", line=line, name=func.name, text=text))

    for node in ast.walk(func):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and \
                node.decorator_list:
            flag(node, say("lint_decorator"))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            flag(node, say("lint_import"))
        elif isinstance(node, ast.Global):
            flag(node, say("lint_global"))
        elif isinstance(node, ast.Name) and node.id in DENIED_NAMES:
            hint = (say("lint_name_self") if node.id in ("super", "RaftNode") else
                    say("lint_name_type") if node.id == "type" else "")
            flag(node, say("lint_name", name=node.id) + hint)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_") and node.attr not in SAFE_PRIVATE:
                flag(node, say("lint_private", attr=node.attr))
            elif node.attr in _HANDLERS and _root(node.value) != self_name:
                flag(node, say("lint_handler", attr=node.attr, owner=self_name or "self"))
            elif node.attr in DENIED_ATTRIBUTES:
                flag(node, say("lint_attribute", attr=node.attr))
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) and \
                "__" in str(node.value) and id(node) not in docstrings:
            flag(node, say("lint_dunder", text=node.value))
        elif isinstance(node, ast.ExceptHandler):
            caught = node.type
            names = ([caught] if caught is None or not isinstance(caught, ast.Tuple)
                     else caught.elts)
            if any(n is None or (isinstance(n, ast.Name) and n.id in
                                 ("BaseException", "KeyboardInterrupt", "SystemExit"))
                   for n in names):
                flag(node, say("lint_except"))
        for target in _store_targets(node):
            root = _root(target)
            if isinstance(target, ast.Attribute):
                if root != self_name or self_name is None:
                    flag(target, say("lint_assign", target=ast.unparse(target)))
            elif isinstance(target, ast.Subscript):
                if root is None or (root != self_name and root not in local):
                    flag(target, say("lint_assign", target=ast.unparse(target)))
    return problems


def _root(node: ast.AST) -> str | None:
    """The variable at the root of ``a.b[c].d`` (``a``), or None if it is not a name."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _store_targets(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, (ast.Attribute, ast.Subscript)) and \
            isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node]
    return []


def _bound_names(func: ast.AST) -> set[str]:
    """Parameters and names assigned anywhere inside ``func`` (its local variables)."""
    names: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _free_names(func: ast.AST) -> set[str]:
    """Names ``func`` reads that it does not bind itself (its globals and builtins)."""
    return {node.id for node in ast.walk(func)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)} - _bound_names(func)


def _literal(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` could have been written as a Python literal."""
    if value is None or type(value) in (bool, int, float, complex, str, bytes):
        return True
    if depth > 20:
        return False
    if type(value) in (tuple, list, set, frozenset):
        return all(_literal(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(_literal(k, depth + 1) and _literal(v, depth + 1) for k, v in value.items())
    return False


def _module_allowed(name: str) -> bool:
    return name.split(".")[0] in ALLOWED_MODULES


def check_function(fn: types.FunctionType, skip: frozenset = frozenset(),
                   _seen: set | None = None) -> None:
    """Raise :class:`RefusedCode` if ``fn`` (or a function of the learner's it calls,
    except those named in ``skip``) breaks a rule, or relies on something the grader
    would not keep from its cell."""
    from .sandbox import trusted  # sandbox imports this module

    seen = set() if _seen is None else _seen
    if fn.__code__ in seen:
        return
    seen.add(fn.__code__)
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        raise RefusedCode(say("lint_no_source", name=fn.__name__)) from None
    func = next((n for n in ast.walk(tree)
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if func is None:
        raise RefusedCode(say("lint_lambda", name=fn.__name__))
    problems = function_problems(func)
    if problems:
        raise RefusedCode(say("lint_refused") + "\n  ".join(problems))
    env = fn.__globals__
    builtins = env.get("__builtins__")
    builtins = builtins if isinstance(builtins, dict) else vars(builtins) if builtins else {}
    for name in sorted(_free_names(func) - skip):
        if name in env:
            value = env[name]
        elif name in builtins:
            continue
        else:
            continue  # a NameError at run time says it better
        if isinstance(value, types.FunctionType):
            if not trusted(value.__code__):  # every function of the learner's, whatever its name
                check_function(value, skip, seen)
        elif isinstance(value, types.ModuleType):
            if not _module_allowed(value.__name__) or value.__name__.startswith("raftlib.checks"):
                raise RefusedCode(say("lint_module", name=fn.__name__, module=name,
                                      full=value.__name__,
                                      allowed=", ".join(sorted(ALLOWED_MODULES))))
        elif isinstance(value, type) or callable(value):
            if getattr(value, "__module__", "") == fn.__module__ and isinstance(value, type):
                raise RefusedCode(say("lint_class", name=fn.__name__, cls=name))
        elif not _literal(value):
            raise RefusedCode(say("lint_computed", name=fn.__name__, value=name))


def filter_answer_cell(source: str) -> tuple[list[ast.stmt], list[str]]:
    """What the grader keeps from an answer cell (statements) and what it leaves out
    (one ``"line N: ..."`` note each)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        return [], [say("lint_syntax", line=e.lineno, error=e.msg)]
    kept: list[ast.stmt] = []
    dropped: list[str] = []
    for stmt in tree.body:
        if _keep(stmt):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                _strip_annotations(stmt)
            elif isinstance(stmt, ast.AnnAssign):  # the annotation would run: drop it
                stmt = ast.copy_location(ast.Assign([stmt.target], stmt.value), stmt)
            kept.append(stmt)
        else:
            first = ast.get_source_segment(source, stmt) or ""
            dropped.append(say("lint_dropped", line=stmt.lineno,
                               first=first.splitlines()[0] if first else "..."))
    return kept, dropped


def _keep(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Import):
        return all(_module_allowed(alias.name) for alias in stmt.names)
    if isinstance(stmt, ast.ImportFrom):
        return stmt.level == 0 and stmt.module is not None and _module_allowed(stmt.module) \
            and all(alias.name != "*" for alias in stmt.names)
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        defaults = [*stmt.args.defaults, *(d for d in stmt.args.kw_defaults if d is not None)]
        return not stmt.decorator_list and all(_is_literal(d) for d in defaults)
    if isinstance(stmt, ast.Assign):
        return all(isinstance(t, ast.Name) for t in stmt.targets) and _is_literal(stmt.value)
    if isinstance(stmt, ast.AnnAssign):
        return isinstance(stmt.target, ast.Name) and stmt.value is not None and \
            _is_literal(stmt.value)
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _strip_annotations(func: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """Annotations run when a ``def`` runs: the grader drops them."""
    func.returns = None
    for arg in ast.walk(func.args):
        if isinstance(arg, ast.arg):
            arg.annotation = None
