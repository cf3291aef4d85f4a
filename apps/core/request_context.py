"""The current request's id, readable from anywhere (logging, error handlers, tasks)."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
