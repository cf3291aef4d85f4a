import logging

from .request_context import request_id


class RequestIdFilter(logging.Filter):
    """Stamp every log record with the id of the request being served ('-' outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True
