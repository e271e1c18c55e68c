"""A fast path for the common subset of CEL: expressions compiled into Python closures that run
directly on the flat context values (``{"applicant.age": 61, …}``), with no CEL context to
build and no nesting.

The subset: field access (dotted paths, ``m.key``, ``m["key"]``, ``l[0]``), literals (int,
double, string without unusual escapes, bool, null, lists), comparisons, arithmetic, ``&&``,
``||``, ``!``, the ternary, ``in`` (lists and maps), ``size()``, ``has()``, the string methods
``contains``/``startsWith``/``endsWith``, ``dyn()`` and the project's registered functions
(``age_on``, ``workdays_between`` …). Anything else (macros, uint and bytes literals,
conversions, regexes, maps literals) is not compiled: the rule runs through CEL.

The tokens come from ``checker.tokenize`` (the project's own tokenizer); the parser below builds
closures from them. Nothing is ever passed to ``eval``/``exec``.

A closure either returns exactly the value CEL would return, or raises (``Fallback`` or any other
exception). It raises whenever it is not certain: a missing field, a type CEL would refuse, an
overflow, a zero divisor, a NaN in an ordering, a value type it does not know. The engine then
runs that rule through CEL, so errors and their reasons are always CEL's own. The semantics
follow the ``common-expression-language`` package as measured (see
``tests/rules/test_compiler.py``): CEL's commutative ``&&``/``||`` (an error or non-boolean on one
side is absorbed when the other side decides), heterogeneous ``==`` (different types are simply
unequal; int and double compare as numbers), int division and remainder truncated toward zero,
64-bit int overflow is an error, ``size()`` of a string counts UTF-8 bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .checker import CheckError, Token, divisors, tokenize
from .functions import FUNCTIONS

Closure = Callable[[dict], Any]

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
EXACT = 2**53  # ints beyond this do not convert to double exactly: left to CEL
NONE = type(None)
SCALARS = (bool, int, float, str, NONE)
KNOWN = {bool, int, float, str, NONE, list, tuple, dict}
LISTS = (list, tuple)


class Fallback(Exception):
    """The closure is not certain of CEL's answer: run the rule through CEL."""


class Unsupported(Exception):
    """The expression uses something outside the compiled subset."""


# -- value semantics -------------------------------------------------------------------------


def _int(a: int) -> int:
    if I64_MIN <= a <= I64_MAX:
        return a
    raise Fallback


def _as_double(a: int) -> float:
    if -EXACT <= a <= EXACT:
        return float(a)
    raise Fallback


def cel_eq(a: Any, b: Any) -> bool:
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is int:
            return _int(a) == _int(b)
        if ta is str or ta is bool or ta is float or ta is NONE:
            return a == b
        if ta is list or ta is tuple:
            return _list_eq(a, b)
        raise Fallback
    if ta is int and tb is float:
        return _as_double(_int(a)) == b
    if ta is float and tb is int:
        return a == _as_double(_int(b))
    if ta in LISTS and tb in LISTS:
        return _list_eq(a, b)
    if ta in KNOWN and tb in KNOWN and ta is not dict and tb is not dict:
        return False
    raise Fallback


def _list_eq(a, b) -> bool:
    if len(a) != len(b):
        return False
    result = True
    for x, y in zip(a, b, strict=True):
        if not cel_eq(x, y):
            result = False  # keep going: an element CEL cannot compare is still an error
    return result


def _ordered(a: Any, b: Any) -> tuple[Any, Any]:
    """The pair in comparable form, or Fallback where CEL has no ordering overload."""
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is int:
            return _int(a), _int(b)
        if ta is str or ta is bool:
            return a, b
        if ta is float:
            if a != a or b != b:
                raise Fallback
            return a, b
        raise Fallback
    if ta is int and tb is float:
        if b != b:
            raise Fallback
        return _as_double(_int(a)), b
    if ta is float and tb is int:
        if a != a:
            raise Fallback
        return a, _as_double(_int(b))
    raise Fallback


def _lt(a, b):
    x, y = _ordered(a, b)
    return x < y


def _le(a, b):
    x, y = _ordered(a, b)
    return x <= y


def _gt(a, b):
    x, y = _ordered(a, b)
    return x > y


def _ge(a, b):
    x, y = _ordered(a, b)
    return x >= y


def _ne(a, b):
    return not cel_eq(a, b)


def _in(a, container):
    tc = type(container)
    if tc is list or tc is tuple:
        found = False
        for item in container:
            if cel_eq(a, item):
                found = True
                break
        return found
    if tc is dict and type(a) is str:
        return a in container
    raise Fallback


def _add(a, b):
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is int:
            return _int(_int(a) + _int(b))
        if ta is float or ta is str:
            return a + b
    if ta in LISTS and tb in LISTS:
        return [*a, *b]
    raise Fallback


def _sub(a, b):
    ta = type(a)
    if ta is type(b):
        if ta is int:
            return _int(_int(a) - _int(b))
        if ta is float:
            return a - b
    raise Fallback


def _mul(a, b):
    ta = type(a)
    if ta is type(b):
        if ta is int:
            return _int(_int(a) * _int(b))
        if ta is float:
            return a * b
    raise Fallback


def _div(a, b):
    ta = type(a)
    if ta is type(b):
        if ta is int:
            a, b = _int(a), _int(b)
            if b == 0 or (a == I64_MIN and b == -1):
                raise Fallback
            q = abs(a) // abs(b)
            return -q if (a < 0) != (b < 0) else q
        if ta is float:
            if b == 0.0 or b != b:
                raise Fallback  # the engine's zero-divisor guard decides
            return a / b
    raise Fallback


def _mod(a, b):
    if type(a) is int and type(b) is int:
        a, b = _int(a), _int(b)
        if b == 0 or (a == I64_MIN and b == -1):
            raise Fallback
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    raise Fallback


def _size(a):
    ta = type(a)
    if ta is str:
        return len(a.encode("utf-8"))
    if ta is list or ta is tuple or ta is dict:
        return len(a)
    raise Fallback


def _str_method(name: str):
    def method(a, b):
        if type(a) is not str or type(b) is not str:
            raise Fallback
        if name == "contains":
            return b in a
        if name == "startsWith":
            return a.startswith(b)
        return a.endswith(b)

    return method


BINARY = {
    "<": _lt,
    "<=": _le,
    ">": _gt,
    ">=": _ge,
    "==": cel_eq,
    "!=": _ne,
    "in": _in,
    "+": _add,
    "-": _sub,
    "*": _mul,
    "/": _div,
    "%": _mod,
}
FAST_ORDER = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _walk(value: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if type(value) is not dict:
            raise Fallback
        value = value[key]
    return value


# -- closures --------------------------------------------------------------------------------


class Node:
    """A parsed sub-expression: its closure, and for constants and paths what it is."""

    __slots__ = ("const", "fn", "is_const", "path", "selected")

    def __init__(self, fn: Closure, *, const: Any = None, is_const: bool = False, path=None):
        self.fn, self.const, self.is_const, self.path = fn, const, is_const, path
        self.selected: tuple | None = None  # (base, name) of a select that is not a path


def const_node(value: Any) -> Node:
    return Node(lambda v: value, const=value, is_const=True)


def path_node(path: tuple[str, ...]) -> Node:
    key = ".".join(path)
    prefixes = [(".".join(path[:n]), path[n:]) for n in range(len(path) - 1, 0, -1)]

    def miss(v: dict) -> Any:
        for prefix, rest in prefixes:
            if prefix in v:
                return _walk(v[prefix], rest)
        raise Fallback

    def fn(v: dict) -> Any:
        try:
            return v[key]
        except KeyError:
            return miss(v)

    return Node(fn, path=path)


def select_node(base: Node, name: str) -> Node:
    if base.path is not None:
        return path_node((*base.path, name))
    inner = base.fn

    def fn(v):
        value = inner(v)
        if type(value) is not dict:
            raise Fallback
        return value[name]

    node = Node(fn)
    node.selected = (base, name)
    return node


def index_node(base: Node, index: Node) -> Node:
    get_base, get_index = base.fn, index.fn

    def fn(v):
        container, i = get_base(v), get_index(v)
        tc, ti = type(container), type(i)
        if tc is list or tc is tuple:
            if ti is int and 0 <= i < len(container):
                return container[i]
            raise Fallback
        if tc is dict and ti is str:
            return container[i]
        raise Fallback

    return Node(fn)


def has_node(base: Node, name: str) -> Node:
    if base.path is not None:
        parent = ".".join(base.path)
        full = f"{parent}.{name}"
        below, parent_below = full + ".", parent + "."

        def fn(v):
            if full in v:
                return True
            if parent in v:
                value = v[parent]
                if type(value) is dict:
                    return name in value
                raise Fallback
            found_parent = False
            for key in v:
                if key.startswith(below):
                    return True
                if key.startswith(parent_below):
                    found_parent = True
            if found_parent:
                return False
            raise Fallback

        return Node(fn)
    inner = base.fn

    def fn_expr(v):
        value = inner(v)
        if type(value) is not dict:
            raise Fallback
        return name in value

    return Node(fn_expr)


def binary_node(op: str, left: Node, right: Node) -> Node:
    a, b = left.fn, right.fn
    general = BINARY[op]
    if op in FAST_ORDER and right.is_const and type(right.const) is int:
        c, fast = right.const, FAST_ORDER[op]

        def order_int(v):
            x = a(v)
            if type(x) is int and I64_MIN <= x <= I64_MAX:
                return fast(x, c)
            return general(x, c)

        return Node(order_int)
    if op in ("==", "!=") and right.is_const and type(right.const) is str:
        c, negate = right.const, op == "!="

        def eq_str(v):
            x = a(v)
            if type(x) is str:
                return (x != c) if negate else (x == c)
            return general(x, c)

        return Node(eq_str)

    def fn(v):
        return general(a(v), b(v))

    return Node(fn)


def and_node(left: Node, right: Node) -> Node:
    a, b = left.fn, right.fn

    def fn(v):
        try:
            x = a(v)
        except Exception:
            x = None  # an error: absorbed if the other side is false
        if x is False:
            return False
        y = b(v)
        if y is False:
            return False
        if x is True and y is True:
            return True
        raise Fallback

    return Node(fn)


def or_node(left: Node, right: Node) -> Node:
    a, b = left.fn, right.fn

    def fn(v):
        try:
            x = a(v)
        except Exception:
            x = None
        if x is True:
            return True
        y = b(v)
        if y is True:
            return True
        if x is False and y is False:
            return False
        raise Fallback

    return Node(fn)


def not_node(inner: Node) -> Node:
    a = inner.fn

    def fn(v):
        x = a(v)
        if x is True:
            return False
        if x is False:
            return True
        raise Fallback

    return Node(fn)


def neg_node(inner: Node) -> Node:
    a = inner.fn

    def fn(v):
        x = a(v)
        if type(x) is int:
            if x == I64_MIN:
                raise Fallback
            return -_int(x)
        if type(x) is float:
            return -x
        raise Fallback

    return Node(fn)


def cond_node(cond: Node, yes: Node, no: Node) -> Node:
    c, a, b = cond.fn, yes.fn, no.fn

    def fn(v):
        x = c(v)
        if x is True:
            return a(v)
        if x is False:
            return b(v)
        raise Fallback

    return Node(fn)


def list_node(items: list[Node]) -> Node:
    fns = tuple(item.fn for item in items)
    return Node(lambda v: [f(v) for f in fns])


def call_node(fn: Callable, args: list[Node]) -> Node:
    fns = tuple(a.fn for a in args)
    if len(fns) == 1:
        (a,) = fns
        return Node(lambda v: _checked(fn(a(v))))
    if len(fns) == 2:
        a, b = fns
        return Node(lambda v: _checked(fn(a(v), b(v))))
    return Node(lambda v: _checked(fn(*[f(v) for f in fns])))


def _checked(value: Any) -> Any:
    """A helper's result as CEL would see it (only plain scalars are trusted)."""
    t = type(value)
    if t is int:
        return _int(value)
    if t in SCALARS:
        return value
    raise Fallback


# -- parser ----------------------------------------------------------------------------------

RELATIONS = ("<", "<=", ">", ">=", "==", "!=", "in")
SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r"}
STRING_METHODS = ("contains", "startsWith", "endsWith")


def _string(text: str) -> str:
    if text[:1] not in ('"', "'") or text[:3] in ('"""', "'''"):
        raise Unsupported(text)  # raw, bytes and triple-quoted strings
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1 : i + 2]
            if nxt not in SIMPLE_ESCAPES:
                raise Unsupported(text)
            out.append(SIMPLE_ESCAPES[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _number(token: Token) -> Any:
    text = token.value
    if token.type == "uint":
        raise Unsupported(text)
    if token.type == "double":
        value = float(text)
        if math.isinf(value):
            raise Unsupported(text)
        return value
    value = int(text, 16) if text.lower().startswith("0x") else int(text)
    if value > I64_MAX:
        raise Unsupported(text)
    return value


class _Parser:
    def __init__(self, text: str):
        try:
            self.tokens = tokenize(text)
        except CheckError:
            raise Unsupported(text) from None
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, *values: str) -> bool:
        return self.tok.kind == "op" and self.tok.value in values

    def expect(self, value: str) -> None:
        if not self.at(value):
            raise Unsupported(value)
        self.i += 1

    def parse(self) -> Node:
        node = self.expr()
        if self.tok.kind != "end":
            raise Unsupported(self.tok.value)
        return node

    def expr(self) -> Node:
        cond = self.or_()
        if self.at("?"):
            self.take()
            yes = self.or_()
            self.expect(":")
            no = self.expr()
            return cond_node(cond, yes, no)
        return cond

    def or_(self) -> Node:
        node = self.and_()
        while self.at("||"):
            self.take()
            node = or_node(node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.relation()
        while self.at("&&"):
            self.take()
            node = and_node(node, self.relation())
        return node

    def relation(self) -> Node:
        node = self.calc()
        while self.at(*RELATIONS):
            op = self.take().value
            node = binary_node(op, node, self.calc())
        return node

    def calc(self) -> Node:
        node = self.term()
        while self.at("+", "-"):
            op = self.take().value
            node = binary_node(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at("*", "/", "%"):
            op = self.take().value
            node = binary_node(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("!"):
            self.take()
            return not_node(self.unary())
        if self.at("-"):
            self.take()
            if self.tok.kind == "num" and self.tok.type == "int":
                # CEL reads -9223372036854775808 as one literal
                token = self.take()
                text = token.value
                value = int(text, 16) if text.lower().startswith("0x") else int(text)
                if value > -I64_MIN:
                    raise Unsupported(text)
                return self.member_tail(const_node(-value))
            return neg_node(self.unary())
        return self.member()

    def member(self) -> Node:
        return self.member_tail(self.primary())

    def member_tail(self, node: Node) -> Node:
        while True:
            if self.at("."):
                self.take()
                name = self.take()
                if name.kind != "id":
                    raise Unsupported(name.value)
                if self.at("("):
                    node = self.method(node, name.value)
                else:
                    node = select_node(node, name.value)
            elif self.at("["):
                self.take()
                index = self.expr()
                self.expect("]")
                node = index_node(node, index)
            else:
                return node

    def args(self) -> list[Node]:
        self.expect("(")
        out: list[Node] = []
        if self.at(")"):
            self.take()
            return out
        while True:
            out.append(self.expr())
            if self.at(")"):
                self.take()
                return out
            self.expect(",")

    def method(self, receiver: Node, name: str) -> Node:
        args = self.args()
        if name == "size" and not args:
            return call_node(_size, [receiver])
        if name in STRING_METHODS and len(args) == 1:
            return call_node(_str_method(name), [receiver, args[0]])
        raise Unsupported(name)

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return const_node(_number(tok))
        if tok.kind == "str":
            return const_node(_string(tok.value))
        if tok.kind == "lit":
            return const_node({"true": True, "false": False, "null": None}[tok.value])
        if tok.kind == "op" and tok.value == "(":
            node = self.expr()
            self.expect(")")
            return node
        if tok.kind == "op" and tok.value == "[":
            items: list[Node] = []
            if not self.at("]"):
                while True:
                    items.append(self.expr())
                    if self.at("]"):
                        break
                    self.expect(",")
                    if self.at("]"):
                        break
            self.expect("]")
            return list_node(items)
        if tok.kind != "id":
            raise Unsupported(tok.value)
        name = tok.value
        if self.at("("):
            return self.call(name)
        return path_node((name,))

    def call(self, name: str) -> Node:
        if name == "has":
            self.expect("(")
            base = self.member()
            self.expect(")")
            return base_has(base)
        args = self.args()
        if name == "size" and len(args) == 1:
            return call_node(_size, args)
        if name == "dyn" and len(args) == 1:
            return args[0]
        fn = FUNCTIONS.get(name)
        if fn is None or fn.__code__.co_argcount != len(args):
            raise Unsupported(name)
        return call_node(fn, args)


def base_has(node: Node) -> Node:
    """``has(x.f)``: the parser built ``x.f`` as a select; rebuild it as a presence test."""
    if node.path is not None and len(node.path) >= 2:
        return has_node(path_node(node.path[:-1]), node.path[-1])
    if node.selected is None:
        raise Unsupported("has")
    return has_node(*node.selected)


def compile_closure(text: str) -> Closure | None:
    """The expression as a closure over the flat values, or None when it is outside the subset.
    A rule with divisors first checks each divisor for zero (as the engine's CEL guards do)."""
    try:
        fn = _Parser(text).parse().fn
        guards = (
            [_Parser(d).parse().fn for d in divisors(text)] if ("/" in text or "%" in text) else []
        )
    except (Unsupported, RecursionError, ValueError, KeyError):
        return None
    if not guards:
        return fn

    def guarded(v: dict) -> Any:
        for guard in guards:
            if cel_eq(guard(v), 0):
                raise Fallback  # CEL reports the division by zero
        return fn(v)

    return guarded
