"""Recognise failure mechanisms in container logs.

Patterns cover the wording of the runtimes and libraries that ML serving stacks use (Python
tracebacks, SQLAlchemy/psycopg, MySQL, Go, Node, Java, Triton, TorchServe, KServe, Hugging Face,
boto3, Kubernetes clients). Each signal names its code and the line it came from, so the report
can quote the line a responder would have found with `kubectl logs --previous`.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from pagetrail.domain.evidence import ContainerLog, LogLine


@dataclass(slots=True, frozen=True)
class LogSignal:
    code: str
    line: LogLine
    detail: str


_DB_SCHEMA = [
    re.compile(r'column "?([\w.]+)"?(?: of relation "?[\w.]+"?)? does not exist', re.I),
    re.compile(r'relation "?([\w.]+)"? does not exist', re.I),
    re.compile(r"\b(UndefinedColumn|UndefinedTable)\b"),
    re.compile(r"Unknown column '([^']+)' in"),
    re.compile(r"Table '([^']+)' doesn't exist"),
    re.compile(r"no such (?:column|table): ([\w.]+)"),
    re.compile(r'ORA-00904: "?([\w.]+)"?: invalid identifier'),
]
_PERMISSION = [
    re.compile(r'forbidden: User "([^"]+)" cannot ([\w-]+) resource "([^"]+)"'),
    re.compile(r"is not authorized to perform: ([\w:*.-]+)"),
    re.compile(r"\((AccessDenied(?:Exception)?)\) when calling the (\w+) operation"),
    re.compile(r"\b(AccessDeniedException|AuthorizationPermissionMismatch|PERMISSION_DENIED)\b"),
    re.compile(r"PermissionError: \[Errno 13\] Permission denied: '([^']+)'"),
    re.compile(r"(?:status code|Status Code:?|HTTP) ?403\b.*(?:Forbidden|AccessDenied)", re.I),
]
_UNREACHABLE = [
    re.compile(r"dial tcp ([\w.-]+:\d+): (?:connect: )?(connection refused|i/o timeout|no route to host)"),
    re.compile(r"dial tcp: lookup ([\w.-]+)(?: on [\d.:]+)?: no such host"),
    re.compile(r'could not connect to server|connection to server at "?([\w.-]+)"?.*(?:failed|refused)', re.I),
    re.compile(r"Can't connect to (?:MySQL|local MySQL|MariaDB) server on '?([\w.-]+)'?", re.I),
    re.compile(r"(?:Error \d+ )?connecting to ([\w.-]+:\d+)\. (?:Connection refused|Name or service not known)", re.I),
    re.compile(r"HTTP(?:S)?ConnectionPool\(host='([^']+)', port=(\d+)\).*(?:Max retries|timed out|refused)", re.I),
    re.compile(r"Could not connect to the endpoint URL: \"?([^\"\s]+)"),
    re.compile(r"getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([\w.-]+)"),
    re.compile(r"UnknownHostException: ([\w.-]+)"),
    re.compile(r"Connection to ([\w.-]+:\d+) refused"),
    re.compile(
        r"(?:java\.net\.)?(?:ConnectException|NoRouteToHostException|SocketTimeoutException): (?:Connection refused|connect timed out|No route to host)"
    ),
    re.compile(r"Communications link failure|Could not open JDBC Connection|Unable to acquire JDBC Connection"),
    re.compile(r"connect ECONNREFUSED ([\d.]+:\d+)"),
    re.compile(
        r"(?:Temporary failure in name resolution|Name or service not known|nodename nor servname provided)", re.I
    ),
    re.compile(r"(?:failed|unable) to (?:connect|reach) (?:to )?([\w.:/-]+)", re.I),
    re.compile(
        r"Connection refused|ConnectionRefusedError|ECONNREFUSED|connection timed out|Connect(?:ion)?TimeoutError", re.I
    ),
]
_ENV_NAME = r"([A-Z][A-Z0-9_]{2,})"
_MISSING_ENV = [
    re.compile(
        rf"(?:environment variable|env var(?:iable)?|envvar)s?:? ['\"`]?{_ENV_NAME}['\"`]? (?:is )?(?:not set|missing|undefined|required|must be set|is empty|not defined|not found)",
        re.I,
    ),
    re.compile(
        rf"(?:missing|undefined|unset|required)(?: required)? (?:environment variable|env var(?:iable)?)s?:? ['\"`]?{_ENV_NAME}",
        re.I,
    ),
    re.compile(
        rf"\b{_ENV_NAME} (?:environment variable )?(?:is not set|must be set|is required but (?:not set|missing)|not set in (?:the )?environment)"
    ),
    re.compile(rf"required key {_ENV_NAME} missing value"),
    re.compile(rf"KeyError: ['\"]{_ENV_NAME}['\"]"),
]
_ENVIRON_ACCESS = re.compile(r"os\.environ\[|environ\.get|getenv|process\.env|os\.Getenv|System\.getenv", re.I)
_MODEL_FAIL = [
    re.compile(
        r"(?:failed|unable|could not|couldn't|cannot) (?:to )?load(?:ing)? (?:the )?(?:model|weights|checkpoint|artifact)s?\b[^\n]*",
        re.I,
    ),
    re.compile(r"(?:error|exception) (?:while |when )?loading (?:the )?(?:model|weights|checkpoint)[^\n]*", re.I),
    re.compile(r"\bload(?:ing)? (?:the )?(?:model|weights|checkpoint)\b[^\n]*\bfailed", re.I),
    re.compile(r"failed to load '([^']+)' version \d+"),
    re.compile(r"(?:model|artifact)s? ['\"]?[\w./:-]*['\"]? (?:not found|does not exist|is missing)", re.I),
    re.compile(r"does not appear to have a file named ([\w.-]+)"),
    re.compile(r"Can't load (?:the )?(?:model|tokenizer|config|weights)[^\n]*"),
    re.compile(r"Error\(s\) in loading state_dict|SafetensorError|UnpicklingError|HeaderTooLarge"),
    re.compile(r"ModelNotFound\w*|MODEL_NOT_FOUND|NoSuchKey"),
    re.compile(r"Error loading\b[^\n]*", re.I),
]
_FILE_MISSING = re.compile(
    r"(?:FileNotFoundError|No such file or directory|NO_?SUCH_?FILE|ENOENT|does(?:n't| not) exist|not found)[^\n]*?['\"]?((?:/|s3://|gs://)[\w./@+-]+)?",
    re.I,
)
_MODEL_WORDS = re.compile(
    r"model|weights|checkpoint|artifact|\.onnx|\.pt\b|\.pth|\.bin\b|\.safetensors|\.pkl|\.joblib|\.h5\b|\.pb\b|\.plan\b|\.engine\b|savedmodel|/models?/",
    re.I,
)
_CUDA_OOM = re.compile(r"CUDA out of memory|OutOfMemoryError: CUDA|cudaErrorMemoryAllocation", re.I)
_TRACEBACK = re.compile(
    r"^Traceback \(most recent call last\)|^Exception in thread|^panic: |^\s*at [\w.$<>]+\([\w.]*:?\d*\)|Unhandled(?:Promise)?(?:Rejection|Exception)"
)
_ERROR_LEVEL = re.compile(
    r"(?:^|[\s\[|\"'=])(?:ERROR|FATAL|CRITICAL|SEVERE|level=error|\"level\": ?\"error\"|\"severity\": ?\"ERROR\")(?:[\s\]|:\"',]|$)"
)
_ACCESS = re.compile(
    r"\"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) [^\"]+\" (\d{3})\b|\"status\": ?(\d{3})\b|\bstatus[=:](\d{3})\b"
)


def _first(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def _detail(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g]
    return " ".join(groups) if groups else match.group(0)[:120]


def scan_log(log: ContainerLog) -> list[LogSignal]:
    """Every mechanism-naming line of a log, in order."""
    signals: list[LogSignal] = []
    recent: deque[str] = deque(maxlen=6)  # the traceback frames above a KeyError
    for line in log.lines:
        text = line.text
        if len(text) > 4000:
            text = text[:4000]
        if match := _first(_DB_SCHEMA, text):
            signals.append(LogSignal("app.db-schema-mismatch", line, _detail(match)))
        elif match := _first(_PERMISSION, text):
            signals.append(LogSignal("app.permission-denied", line, _detail(match)))
        elif match := _first(_MISSING_ENV, text):
            is_key_error = text.lstrip().startswith("KeyError")
            if not is_key_error or any(_ENVIRON_ACCESS.search(t) for t in recent):
                signals.append(LogSignal("config.missing-env", line, match.group(1)))
        elif _CUDA_OOM.search(text):
            signals.append(LogSignal("model.load-failed", line, "CUDA out of memory"))
        elif match := _first(_MODEL_FAIL, text):
            signals.append(LogSignal("model.load-failed", line, _detail(match)))
        elif (match := _FILE_MISSING.search(text)) and _MODEL_WORDS.search(text):
            signals.append(LogSignal("model.load-failed", line, match.group(1) or text.strip()[:120]))
        elif match := _first(_UNREACHABLE, text):
            signals.append(LogSignal("dependency.unreachable", line, _detail(match)))
        if text.strip():
            recent.append(text)
    return signals


@dataclass(slots=True)
class ErrorProfile:
    """How erroneous a log is: tracebacks, ERROR lines, and the share of 5xx in access lines."""

    tracebacks: int = 0
    error_lines: int = 0
    requests: int = 0
    server_errors: int = 0
    first_error: LogLine | None = None
    last_error: LogLine | None = None
    last_success: LogLine | None = None

    @property
    def error_share(self) -> float | None:
        return self.server_errors / self.requests if self.requests else None


def error_profile(log: ContainerLog) -> ErrorProfile:
    profile = ErrorProfile()
    for line in log.lines:
        text = line.text
        access = _ACCESS.search(text)
        if access:
            code = int(next(g for g in access.groups() if g))
            profile.requests += 1
            if code >= 500:
                profile.server_errors += 1
                profile.first_error = profile.first_error or line
                profile.last_error = line
            else:
                profile.last_success = line
            continue
        if _TRACEBACK.search(text):
            profile.tracebacks += 1
            profile.first_error = profile.first_error or line
            profile.last_error = line
        elif _ERROR_LEVEL.search(text):
            profile.error_lines += 1
            profile.first_error = profile.first_error or line
            profile.last_error = line
    return profile


_LOADING = re.compile(
    r"(?:loading|downloading|fetching|pulling|warming ?up|initiali[sz]ing)\b.*(?:model|weights|checkpoint|shard|artifact|tokenizer|engine)|(?:model|weights|shard)s?\b.*(?:loading|downloading|\d+(?:\.\d+)?\s*%)",
    re.I,
)
_READY = re.compile(
    r"(?:model|server|application|service)\b.*\b(?:loaded|ready|started|listening)|Uvicorn running on|Application startup complete|Listening at|Started server process|successfully loaded|server is ready",
    re.I,
)


def loading_state(log: ContainerLog) -> tuple[LogLine | None, LogLine | None]:
    """The last line that says a model is loading, and the last that says it is ready."""
    loading: LogLine | None = None
    ready: LogLine | None = None
    for line in log.lines:
        if _READY.search(line.text):
            ready = line
        elif _LOADING.search(line.text):
            loading = line
    return loading, ready
