"""A static type checker for the CEL subset rules are written in.

The ``common-expression-language`` package compiles and runs CEL but has no type checker and
reports only top-level variable names. This module parses the expression itself (CEL's grammar
is small: ternary, ``||``, ``&&``, relations, arithmetic, unary, member/index/call, literals,
lists and maps), infers each sub-expression's type against the declared field types, and
collects the dotted fields the expression reads (``applicant.age``, ``population.hukou_city``).
It refuses unknown fields, unknown functions and operand types no CEL overload accepts, with the
position of the problem. Running the expression stays with the package (never ``eval``).

Types: ``int``, ``uint``, ``double``, ``string``, ``bool``, ``bytes``, ``null``, ``date`` (an ISO
``YYYY-MM-DD`` string at run time, so dates compare in order), ``list``, ``map`` and ``dyn``
(unknown until run time: accepted everywhere, checked when the rule runs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

NUMERIC = {"int", "uint", "double"}
ORDERED = NUMERIC | {"string", "date", "bytes", "bool"}
MACROS = {"all", "exists", "exists_one", "map", "filter"}

# name -> (argument types, result type); "dyn" accepts anything. Receiver-style calls
# (``x.f(a)``) are ``f(x, a)``.
FUNCTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "age_on": (("date", "date"), "int"),
    "workdays_between": (("date", "date"), "int"),
    "days_between": (("date", "date"), "int"),
    "add_workdays": (("date", "int"), "date"),
    "add_days": (("date", "int"), "date"),
    "is_workday": (("date",), "bool"),
    "date": (("string",), "date"),
    "contains": (("string", "string"), "bool"),
    "startsWith": (("string", "string"), "bool"),
    "endsWith": (("string", "string"), "bool"),
    "matches": (("string", "string"), "bool"),
    "int": (("dyn",), "int"),
    "double": (("dyn",), "double"),
    "string": (("dyn",), "string"),
    "uint": (("dyn",), "uint"),
    "dyn": (("dyn",), "dyn"),
}
SIZED = {"string", "bytes", "list", "map", "dyn"}


class CheckError(Exception):
    def __init__(self, message: str, position: int):
        self.message = message
        self.position = position
        super().__init__(message)


@dataclass(frozen=True)
class Namespace:
    """A prefix of declared fields (``applicant``, ``form``): not a value by itself."""

    path: str


@dataclass
class Token:
    kind: str  # "num", "str", "id", "op", "end"
    value: str
    pos: int
    type: str = ""


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>0x[0-9a-fA-F]+u?|\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+u?)
  | (?P<str>[rRbB]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<id>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>\|\||&&|==|!=|<=|>=|[<>!+\-*/%?:.,()\[\]{}])
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise CheckError(_("无法识别的字符“%(char)s”") % {"char": text[pos]}, pos)
        kind = m.lastgroup
        if kind != "ws":
            value = m.group(kind)
            token = Token(kind, value, pos)
            if kind == "num":
                token.type = (
                    "uint"
                    if value.endswith("u")
                    else "double"
                    if ("." in value or "e" in value.lower()) and not value.startswith("0x")
                    else "int"
                )
            elif kind == "str":
                token.type = "bytes" if value[:2].lower().count("b") else "string"
            elif kind == "id" and value in ("true", "false"):
                token.kind, token.type = "lit", "bool"
            elif kind == "id" and value == "null":
                token.kind, token.type = "lit", "null"
            elif kind == "id" and value == "in":
                token.kind = "op"
            tokens.append(token)
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


@dataclass
class CheckResult:
    type: str
    fields: set[str] = field(default_factory=set)


class _Checker:
    def __init__(self, text: str, declared: dict[str, str], *, lenient: bool = False):
        self.text = text
        self.lenient = lenient
        self.divisors: list[str] = []
        self.tokens = tokenize(text)
        self.i = 0
        self.declared = declared
        self.prefixes: set[str] = set()
        for name in declared:
            parts = name.split(".")
            for n in range(1, len(parts)):
                self.prefixes.add(".".join(parts[:n]))
        self.fields: set[str] = set()
        self.bound: list[str] = []

    # -- token helpers --
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def accept(self, value: str) -> bool:
        if self.tok.kind == "op" and self.tok.value == value:
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> Token:
        if not (self.tok.kind == "op" and self.tok.value == value):
            raise CheckError(_("语法错误：此处应为“%(token)s”") % {"token": value}, self.tok.pos)
        return self.take()

    # -- types --
    def value(self, t, pos: int) -> str:
        if isinstance(t, Namespace):
            return "map"
        return t

    def mismatch(self, op: str, a: str, b: str, pos: int) -> CheckError:
        return CheckError(
            _("类型错误：不能对 %(a)s 和 %(b)s 使用“%(op)s”") % {"a": a, "b": b, "op": op}, pos
        )

    # -- grammar --
    def run(self) -> str:
        t = self.value(self.expr(), 0)
        if self.tok.kind != "end":
            raise CheckError(
                _("语法错误：多余的“%(token)s”") % {"token": self.tok.value}, self.tok.pos
            )
        return t

    def expr(self):
        start = self.tok.pos
        cond = self.value(self.or_(), start)
        if self.accept("?"):
            if cond not in ("bool", "dyn"):
                raise CheckError(_("类型错误：条件表达式的条件必须是布尔值"), start)
            a = self.value(self.or_(), self.tok.pos)
            self.expect(":")
            b = self.value(self.expr(), self.tok.pos)
            return a if a == b else "dyn"
        return cond

    def _logical(self, op: str, sub):
        start = self.tok.pos
        t = sub()
        while self.tok.kind == "op" and self.tok.value == op:
            pos = self.take().pos
            r = self.value(sub(), pos)
            for side in (self.value(t, start), r):
                if side not in ("bool", "dyn"):
                    raise CheckError(
                        _("类型错误：“%(op)s”两边必须是布尔值，而不是 %(type)s")
                        % {"op": op, "type": side},
                        pos,
                    )
            t = "bool"
        return t

    def or_(self):
        return self._logical("||", self.and_)

    def and_(self):
        return self._logical("&&", self.relation)

    def relation(self):
        t = self.calc()
        while self.tok.kind == "op" and self.tok.value in ("<", "<=", ">", ">=", "==", "!=", "in"):
            op_tok = self.take()
            a, b = self.value(t, op_tok.pos), self.value(self.calc(), op_tok.pos)
            op = op_tok.value
            if op == "in":
                if b not in ("list", "map", "dyn"):
                    raise self.mismatch(op, a, b, op_tok.pos)
            elif "dyn" in (a, b) or (a in NUMERIC and b in NUMERIC) or a == b:
                if op not in ("==", "!=") and a == b and a not in ORDERED:
                    raise self.mismatch(op, a, b, op_tok.pos)
            elif op in ("==", "!=") and "null" in (a, b):
                pass
            else:
                raise self.mismatch(op, a, b, op_tok.pos)
            t = "bool"
        return t

    def calc(self):
        t = self.term()
        while self.tok.kind == "op" and self.tok.value in ("+", "-"):
            op_tok = self.take()
            a, b = self.value(t, op_tok.pos), self.value(self.term(), op_tok.pos)
            t = self._arith(op_tok, a, b)
        return t

    def term(self):
        t = self.unary()
        while self.tok.kind == "op" and self.tok.value in ("*", "/", "%"):
            op_tok = self.take()
            right_start = self.tok.pos
            a, b = self.value(t, op_tok.pos), self.value(self.unary(), op_tok.pos)
            if op_tok.value in ("/", "%") and not self.bound:
                self.divisors.append(self.text[right_start : self.tok.pos].strip())
            t = self._arith(op_tok, a, b)
        return t

    def _arith(self, op_tok: Token, a: str, b: str) -> str:
        op = op_tok.value
        allowed = NUMERIC | ({"string", "bytes", "list"} if op == "+" else set())
        if op == "%":
            allowed = {"int", "uint"}
        if a == "dyn" or b == "dyn":
            other = b if a == "dyn" else a
            if other != "dyn" and other not in allowed:
                raise self.mismatch(op, a, b, op_tok.pos)
            return other
        if a != b or a not in allowed:
            raise self.mismatch(op, a, b, op_tok.pos)
        return a

    def unary(self):
        if self.tok.kind == "op" and self.tok.value in ("!", "-"):
            op_tok = self.take()
            t = self.value(self.unary(), op_tok.pos)
            want = {"bool", "dyn"} if op_tok.value == "!" else NUMERIC | {"dyn"}
            if t not in want:
                raise CheckError(
                    _("类型错误：不能对 %(type)s 使用“%(op)s”") % {"type": t, "op": op_tok.value},
                    op_tok.pos,
                )
            return t
        return self.member()

    def member(self):
        t = self.primary()
        while True:
            if self.accept("."):
                name_tok = self.take()
                if name_tok.kind != "id":
                    raise CheckError(_("语法错误：“.”之后应为字段名"), name_tok.pos)
                if self.tok.kind == "op" and self.tok.value == "(":
                    t = self.method(t, name_tok)
                else:
                    t = self.select(t, name_tok)
            elif self.tok.kind == "op" and self.tok.value == "[":
                pos = self.take().pos
                base = self.value(t, pos)
                index = self.value(self.expr(), pos)
                self.expect("]")
                if base == "list" and index not in ("int", "uint", "dyn"):
                    raise self.mismatch("[]", base, index, pos)
                if base not in ("list", "map", "dyn"):
                    raise CheckError(_("类型错误：%(type)s 不能按下标取值") % {"type": base}, pos)
                t = "dyn"
            else:
                return t

    def select(self, t, name_tok: Token):
        if isinstance(t, Namespace):
            path = f"{t.path}.{name_tok.value}"
            if path in self.declared:
                self.fields.add(path)
                return self.declared[path]
            if path in self.prefixes:
                return Namespace(path)
            if self.lenient:
                return "dyn"
            raise CheckError(_("未知字段“%(field)s”") % {"field": path}, name_tok.pos)
        if t in ("map", "dyn"):
            return "dyn"
        raise CheckError(
            _("类型错误：%(type)s 没有字段“%(field)s”") % {"type": t, "field": name_tok.value},
            name_tok.pos,
        )

    def args(self) -> list[str]:
        self.expect("(")
        types = []
        if not self.accept(")"):
            while True:
                pos = self.tok.pos
                types.append(self.value(self.expr(), pos))
                if self.accept(")"):
                    break
                self.expect(",")
        return types

    def method(self, receiver, name_tok: Token):
        name = name_tok.value
        if name in MACROS:
            base = self.value(receiver, name_tok.pos)
            if base not in ("list", "map", "dyn"):
                raise CheckError(
                    _("类型错误：%(type)s 不能使用 %(name)s()") % {"type": base, "name": name},
                    name_tok.pos,
                )
            self.expect("(")
            var = self.take()
            if var.kind != "id":
                raise CheckError(
                    _("语法错误：%(name)s() 的第一个参数应为变量名") % {"name": name}, var.pos
                )
            self.expect(",")
            self.bound.append(var.value)
            try:
                pos = self.tok.pos
                body = self.value(self.expr(), pos)
            finally:
                self.bound.pop()
            self.expect(")")
            if name in ("all", "exists", "exists_one", "filter") and body not in ("bool", "dyn"):
                raise CheckError(_("类型错误：%(name)s() 的条件必须是布尔值") % {"name": name}, pos)
            return "list" if name in ("map", "filter") else "bool"
        base = self.value(receiver, name_tok.pos)
        return self.call(name, [base, *self.args()], name_tok.pos)

    def call(self, name: str, args: list[str], pos: int) -> str:
        if name == "size":
            if len(args) != 1 or args[0] not in SIZED:
                raise CheckError(_("类型错误：size() 只接受一个字符串、列表或映射"), pos)
            return "int"
        if name == "bool":
            return "bool"
        if name not in FUNCTIONS:
            if self.lenient:
                return "dyn"
            raise CheckError(_("未知函数“%(name)s”") % {"name": name}, pos)
        want, result = FUNCTIONS[name]
        if len(args) != len(want):
            raise CheckError(
                _("%(name)s() 需要 %(n)s 个参数，而不是 %(m)s 个")
                % {"name": name, "n": len(want), "m": len(args)},
                pos,
            )
        for got, expected in zip(args, want, strict=True):
            if expected != "dyn" and got not in (expected, "dyn"):
                raise CheckError(
                    _("类型错误：%(name)s() 的参数应为 %(want)s，而不是 %(got)s")
                    % {"name": name, "want": expected, "got": got},
                    pos,
                )
        return result

    def primary(self):
        tok = self.take()
        if tok.kind in ("num", "str", "lit"):
            return tok.type
        if tok.kind == "op" and tok.value == "(":
            t = self.expr()
            self.expect(")")
            return t
        if tok.kind == "op" and tok.value == "[":
            if not self.accept("]"):
                while True:
                    self.expr()
                    if self.accept("]"):
                        break
                    self.expect(",")
                    if self.accept("]"):
                        break
            return "list"
        if tok.kind == "op" and tok.value == "{":
            if not self.accept("}"):
                while True:
                    self.expr()
                    self.expect(":")
                    self.expr()
                    if self.accept("}"):
                        break
                    self.expect(",")
                    if self.accept("}"):
                        break
            return "map"
        if tok.kind == "op" and tok.value == ".":
            tok = self.take()
        if tok.kind != "id":
            if tok.kind == "end":
                raise CheckError(_("语法错误：表达式不完整"), tok.pos)
            raise CheckError(_("语法错误：此处不应出现“%(token)s”") % {"token": tok.value}, tok.pos)
        name = tok.value
        if self.tok.kind == "op" and self.tok.value == "(":
            if name == "has":
                return self.has_macro(tok)
            return self.call(name, self.args(), tok.pos)
        if name in self.bound:
            return "dyn"
        if name in self.declared:
            self.fields.add(name)
            return self.declared[name]
        if name in self.prefixes:
            return Namespace(name)
        if self.lenient:
            return "dyn"
        raise CheckError(_("未知字段“%(field)s”") % {"field": name}, tok.pos)

    def has_macro(self, tok: Token) -> str:
        self.expect("(")
        pos = self.tok.pos
        before = self.i
        self.member()
        if not (self.i - before >= 3 and self.tokens[self.i - 2].value == "."):
            raise CheckError(_("has() 的参数必须是字段选择，例如 has(form.area)"), pos)
        self.expect(")")
        return "bool"


def check(text: str, declared: dict[str, str]) -> CheckResult:
    """Type-check ``text`` against ``declared`` (dotted field → type); raise CheckError."""
    checker = _Checker(text, declared)
    result = checker.run()
    return CheckResult(type=result, fields=checker.fields)


def divisors(text: str) -> list[str]:
    """The source of every divisor (right operand of ``/`` and ``%``) outside comprehension
    macros: the engine checks each for zero first, so that a double division by zero (which CEL
    answers with infinity) fails the rule instead of passing it."""
    try:
        checker = _Checker(text, {}, lenient=True)
        checker.run()
    except CheckError:
        return []
    return checker.divisors
