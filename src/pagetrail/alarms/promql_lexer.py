"""Split a PromQL expression into tokens, each with its offset in the text.

Offsets matter to both readers of PromQL here: the alert-rule linter maps them to a line and column of a
multi-line `expr: |`, and the rule replay names the column of the part it cannot evaluate. The rules are
Prometheus's (promql/parser/lex.go) as far as alert expressions reach: identifiers may hold colons
(recording-rule names), durations are unit-suffixed integers that may be chained (`1h30m`), strings take
Go's escapes (backquoted ones are raw), `#` starts a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class PromqlSyntaxError(ValueError):
    """The expression is not PromQL; the message says what and where, `offset` is where in the text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class TokenKind(StrEnum):
    number = "number"
    duration = "duration"
    string = "string"
    identifier = "identifier"
    operator = "operator"
    end = "end of expression"


@dataclass(frozen=True, slots=True)
class Token:
    """`text` as written; `value` is a string literal's content once its escapes are decoded."""

    kind: TokenKind
    text: str
    offset: int
    value: str = ""


_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
    |(?P<duration>(?:\d+(?:ms|[smhdwy]))+(?![\w.]))
    |(?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
    |(?P<identifier>[A-Za-z_][\w:]*)
    |(?P<operator>=~|!~|!=|==|>=|<=|[(){}\[\],=<>+\-*/%^@:])
    """,
    re.VERBOSE,
)
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)")


def column(offset: int) -> str:
    """How messages point at a place in the expression: `column 7` for offset 6."""
    return f"column {offset + 1}"


def tokenize(text: str) -> list[Token]:
    """Every token of `text`, ending with one `end` token; raises PromqlSyntaxError at the first stray
    character or bad string escape."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            if char in "\"'`":
                raise PromqlSyntaxError(f"unterminated string at {column(position)}", position)
            raise PromqlSyntaxError(f"unexpected character {char!r} at {column(position)}", position)
        kind = match.lastgroup
        if kind == "string":
            tokens.append(Token(TokenKind.string, match.group(), position, _string_value(match.group(), position)))
        elif kind != "space" and kind is not None:
            tokens.append(Token(TokenKind(kind), match.group(), position))
        position = match.end()
    tokens.append(Token(TokenKind.end, "", len(text)))
    return tokens


def _string_value(literal: str, offset: int) -> str:
    """The content of a string literal: backquoted strings are raw, quoted ones take Go's escapes (an
    unknown escape is an error in Prometheus too, so `"\\d"` is refused rather than misread)."""
    body = literal[1:-1]
    if literal.startswith("`"):
        return body
    quote = literal[0]

    def decode(match: re.Match[str]) -> str:
        escape = match.group()[1:]
        if escape[0] in _HEX_WIDTH and len(escape) == 1 + _HEX_WIDTH[escape[0]]:
            return chr(int(escape[1:], 16))
        if len(escape) == 3 and escape.isdigit() and int(escape, 8) <= 0xFF:
            return chr(int(escape, 8))
        if escape == quote or escape in _ESCAPES:
            return _ESCAPES.get(escape, escape)
        where = offset + 1 + match.start()
        raise PromqlSyntaxError(f"unknown escape sequence \\{escape} at {column(where)}", where)

    return _ESCAPE.sub(decode, body)
