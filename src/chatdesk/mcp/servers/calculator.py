"""Built-in calculator server: safe arithmetic over the ``ast`` module (never ``eval``).

Run as ``python -m chatdesk.mcp.servers.calculator`` (stdio).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

Number = int | float

MAX_EXPRESSION_LENGTH = 1000
MAX_EXPONENT = 10_000
MAX_INT_DIGITS = 1000

_BINARY: dict[type[ast.operator], Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Number], Number]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_FUNCTIONS: dict[str, Callable[..., Number]] = {
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "log": math.log,
    "log10": math.log10,
    "exp": math.exp,
    "abs": abs,
    "round": round,
    "floor": math.floor,
    "ceil": math.ceil,
}
_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}


class CalculationError(ValueError):
    """The expression is not allowed or cannot be computed; the message says why."""


def _check_size(value: Number) -> Number:
    if isinstance(value, int) and abs(value).bit_length() > MAX_INT_DIGITS * 3.33:
        raise CalculationError(f"the result has more than {MAX_INT_DIGITS} digits")
    if isinstance(value, float) and not math.isfinite(value):
        raise CalculationError("the result is too large (not a finite number)")
    return value


def _pow(base: Number, exponent: Number) -> Number:
    if abs(exponent) > MAX_EXPONENT:
        raise CalculationError(f"exponents are limited to ±{MAX_EXPONENT}")
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and abs(base) > 1
        and abs(base).bit_length() * exponent > MAX_INT_DIGITS * 3.33
    ):
        raise CalculationError(f"the result has more than {MAX_INT_DIGITS} digits")
    result = base**exponent
    if isinstance(result, complex):
        raise CalculationError("the result is a complex number")
    return result


def _eval(node: ast.AST) -> Number:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        if isinstance(node.value, bool):
            raise CalculationError("booleans are not allowed in an expression")
        return _check_size(node.value)
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            return _check_size(_pow(left, right))
        return _check_size(_BINARY[type(node.op)](left, right))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        args = [_eval(arg) for arg in node.args]
        return _check_size(_FUNCTIONS[node.func.id](*args))
    if isinstance(node, ast.Name):
        raise CalculationError(f"unknown name {node.id!r}")
    raise CalculationError(f"{type(node).__name__} is not allowed in an expression")


def evaluate(expression: str) -> Number:
    """Evaluate an arithmetic expression; raises :class:`CalculationError` for anything else."""
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise CalculationError(f"expressions are limited to {MAX_EXPRESSION_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise CalculationError(f"not a valid expression: {exc.msg}") from None
    try:
        return _eval(tree)
    except ZeroDivisionError:
        raise CalculationError("division by zero") from None
    except OverflowError:
        raise CalculationError("the result is too large") from None
    except CalculationError:
        raise
    except (TypeError, ValueError) as exc:
        raise CalculationError(str(exc)) from None


def main() -> None:
    """Serve the calculator over stdio."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import ToolAnnotations

    server = MCPServer("calculator")

    @server.tool(annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False))
    def calculate(expression: str) -> str:
        """Evaluate arithmetic: numbers, + - * / // % **, parentheses, sqrt, sin, cos, tan,
        log, log10, exp, abs, round, floor, ceil, pi, e, tau."""
        try:
            return repr(evaluate(expression))
        except CalculationError as exc:
            raise ToolError(str(exc)) from None

    server.run()


if __name__ == "__main__":
    main()
