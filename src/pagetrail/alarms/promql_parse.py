"""A PromQL parser small enough to read, complete enough for alert and recording-rule expressions.

It builds the tree in promql_ast.py: selectors with matchers and range windows, function calls,
aggregations with `by`/`without`, binary operators with `bool`, `on`/`ignoring` and
`group_left`/`group_right`, subqueries, `offset` and `@`. Precedence follows Prometheus (lowest first):
`or`; `and`/`unless`; comparisons; `+ -`; `* / % atan2`; `^` (right-associative), with unary minus
binding looser than `^`. It checks structure, not types: promtool stays the authority on whether a rule
loads, and the replay refuses what it cannot evaluate on the tree.
"""

from __future__ import annotations

from dataclasses import replace

from pagetrail.alarms.promql_ast import (
    AGGREGATIONS,
    COMPARISONS,
    Aggregation,
    Binary,
    Call,
    Expr,
    Matcher,
    NumberLiteral,
    Selector,
    StringLiteral,
    Subquery,
    TimeModifier,
    Unary,
    VectorMatching,
)
from pagetrail.alarms.promql_lexer import PromqlSyntaxError, Token, TokenKind, column, tokenize
from pagetrail.domain.prometheus_rules import BadDurationError, parse_duration

_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "unless": 2,
    **dict.fromkeys(COMPARISONS, 3),
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
    "atan2": 5,
    "^": 6,
}
_MATCH_OPERATORS = frozenset({"=", "!=", "=~", "!~"})


def parse_promql(text: str) -> Expr:
    """The syntax tree of a PromQL expression; raises PromqlSyntaxError with the offset of the problem."""
    parser = _Parser(text)
    if parser.current().kind is TokenKind.end:
        raise PromqlSyntaxError("empty expression", 0)
    expr = parser.expression()
    if parser.current().kind is not TokenKind.end:
        raise parser.error("expected an operator or the end of the expression")
    return expr


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.end:
            self.index += 1
        return token

    def at(self, text: str) -> bool:
        """Is the current token `text`? Keywords (`by`, `on`, `bool`, ...) match in any case, as in Prometheus."""
        token = self.current()
        if token.kind is TokenKind.identifier:
            return token.text.lower() == text
        return token.kind is TokenKind.operator and token.text == text

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise self.error(f"expected `{text}`")
        return self.advance()

    def separator(self, closing: str) -> None:
        """Consume the comma between list items; a list ends only at `closing`."""
        if not self.at(closing):
            if not self.at(","):
                raise self.error(f"expected `,` or `{closing}`")
            self.advance()

    def error(self, expected: str) -> PromqlSyntaxError:
        """`expected` at the current token, saying what was found instead."""
        token = self.current()
        found = f"`{token.text}`" if token.kind is not TokenKind.end else "the end"
        return PromqlSyntaxError(f"{expected} at {column(token.offset)}, found {found}", token.offset)

    def binary_operator(self) -> str | None:
        token = self.current()
        if token.kind is TokenKind.operator and token.text in _PRECEDENCE:
            return token.text
        if token.kind is TokenKind.identifier and token.text.lower() in ("and", "or", "unless", "atan2"):
            return token.text.lower()
        return None

    def expression(self, min_precedence: int = 1) -> Expr:
        lhs = self.unary()
        while (op := self.binary_operator()) is not None and _PRECEDENCE[op] >= min_precedence:
            offset = self.advance().offset
            returns_bool = False
            if op in COMPARISONS and self.at("bool"):
                self.advance()
                returns_bool = True
            matching = self.vector_matching()
            next_precedence = _PRECEDENCE[op] if op == "^" else _PRECEDENCE[op] + 1
            rhs = self.expression(next_precedence)
            lhs = Binary(op, lhs, rhs, returns_bool, matching, offset)
        return lhs

    def vector_matching(self) -> VectorMatching | None:
        if not (self.at("on") or self.at("ignoring")):
            return None
        on = self.advance().text.lower() == "on"
        labels = self.label_list()
        group: str | None = None
        include: tuple[str, ...] = ()
        if self.at("group_left") or self.at("group_right"):
            group = self.advance().text.lower().removeprefix("group_")
            if self.at("("):
                include = self.label_list()
        return VectorMatching(on, labels, group, include)

    def label_list(self) -> tuple[str, ...]:
        self.expect("(")
        labels: list[str] = []
        while not self.at(")"):
            token = self.current()
            if token.kind is TokenKind.identifier:
                labels.append(token.text)
            elif token.kind is TokenKind.string:
                labels.append(token.value)
            else:
                raise self.error("expected a label name")
            self.advance()
            self.separator(")")
        self.advance()
        return tuple(labels)

    def unary(self) -> Expr:
        if self.at("-") or self.at("+"):
            token = self.advance()
            operand = self.expression(_PRECEDENCE["^"])
            if isinstance(operand, NumberLiteral):
                return NumberLiteral(-operand.value if token.text == "-" else operand.value, token.offset)
            return Unary(token.text, operand, token.offset)
        return self.postfix(self.primary())

    def postfix(self, expr: Expr) -> Expr:
        while True:
            if self.at("["):
                expr = self.range_or_subquery(expr)
            elif self.at("offset") or self.at("@"):
                if not isinstance(expr, Selector | Subquery):
                    token = self.current()
                    raise PromqlSyntaxError(
                        f"`{token.text}` at {column(token.offset)} applies only to a selector or a subquery",
                        token.offset,
                    )
                expr = replace(expr, modifiers=(*expr.modifiers, self.modifier()))
            else:
                return expr

    def modifier(self) -> TimeModifier:
        """`offset [-]DURATION` or `@ TIMESTAMP|start()|end()`."""
        keyword = self.advance()
        if keyword.text.lower() == "offset":
            if self.at("-"):
                self.advance()
            self.duration()
        elif self.current().kind is TokenKind.number:
            self.advance()
        elif self.at("start") or self.at("end"):
            self.advance()
            self.expect("(")
            self.expect(")")
        else:
            raise self.error("expected a timestamp, start() or end() after @")
        return TimeModifier(keyword.text.lower(), keyword.offset)

    def duration(self) -> float:
        token = self.current()
        if token.kind is not TokenKind.duration:
            raise self.error("expected a duration like 5m")
        self.advance()
        try:
            return parse_duration(token.text)
        except BadDurationError as exc:
            raise PromqlSyntaxError(f"{exc} at {column(token.offset)}", token.offset) from exc

    def range_or_subquery(self, expr: Expr) -> Expr:
        start = self.expect("[").offset
        window = self.duration()
        if self.at(":"):
            self.advance()
            step = None if self.at("]") else self.duration()
            self.expect("]")
            return Subquery(expr, window, step, start)
        self.expect("]")
        if not isinstance(expr, Selector) or expr.range_s is not None:
            raise PromqlSyntaxError(
                f"a range [..] at {column(start)} applies only to an instant-vector selector", start
            )
        return replace(expr, range_s=window)

    def primary(self) -> Expr:
        token = self.current()
        if token.kind is TokenKind.number:
            self.advance()
            return NumberLiteral(
                float(int(token.text, 16)) if token.text[:2].lower() == "0x" else float(token.text), token.offset
            )
        if token.kind is TokenKind.string:
            self.advance()
            return StringLiteral(token.value, token.offset)
        if self.at("("):
            self.advance()
            inner = self.expression()
            self.expect(")")
            return inner
        if self.at("{"):
            return Selector(None, self.matchers(), None, token.offset)
        if token.kind is TokenKind.identifier:
            return self.identifier_expression(token)
        raise self.error("expected an expression")

    def identifier_expression(self, token: Token) -> Expr:
        name = token.text
        self.advance()
        if name.lower() in ("inf", "nan") and not self.at("(") and not self.at("{"):
            return NumberLiteral(float(name), token.offset)
        if name.lower() in AGGREGATIONS and (self.at("(") or self.at("by") or self.at("without")):
            return self.aggregation(name.lower(), token.offset)
        if self.at("("):
            return Call(name, self.arguments(), token.offset)
        matchers = self.matchers() if self.at("{") else ()
        return Selector(name, matchers, None, token.offset)

    def arguments(self) -> tuple[Expr, ...]:
        self.expect("(")
        args: list[Expr] = []
        while not self.at(")"):
            args.append(self.expression())
            self.separator(")")
        self.advance()
        return tuple(args)

    def aggregation(self, op: str, offset: int) -> Aggregation:
        grouping: tuple[str, ...] | None = None
        without = False
        if self.at("by") or self.at("without"):
            without = self.advance().text.lower() == "without"
            grouping = self.label_list()
        args = self.arguments()
        if grouping is None and (self.at("by") or self.at("without")):
            without = self.advance().text.lower() == "without"
            grouping = self.label_list()
        if len(args) not in (1, 2):
            raise PromqlSyntaxError(f"{op}() at {column(offset)} takes one or two arguments, got {len(args)}", offset)
        param, expr = (args[0], args[1]) if len(args) == 2 else (None, args[0])
        return Aggregation(op, expr, param, grouping, without, offset)

    def matchers(self) -> tuple[Matcher, ...]:
        self.expect("{")
        found: list[Matcher] = []
        while not self.at("}"):
            token = self.current()
            if token.kind not in (TokenKind.identifier, TokenKind.string):
                raise self.error("expected a label matcher")
            self.advance()
            if token.kind is TokenKind.string and (self.at(",") or self.at("}")):
                found.append(Matcher("__name__", "=", token.value))
            else:
                label = token.text if token.kind is TokenKind.identifier else token.value
                operator = self.current()
                if operator.kind is not TokenKind.operator or operator.text not in _MATCH_OPERATORS:
                    raise self.error(f"expected =, !=, =~ or !~ after label `{label}`")
                self.advance()
                if self.current().kind is not TokenKind.string:
                    raise self.error(f"expected a quoted value for label `{label}`")
                found.append(Matcher(label, operator.text, self.advance().value))
            self.separator("}")
        self.advance()
        return tuple(found)
