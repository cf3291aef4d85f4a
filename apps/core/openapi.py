"""The OpenAPI schema documents the error answers too, in the one error shape (apps/core/errors.py).

drf-spectacular describes only what succeeds; clients (and the schemathesis run in the tests,
which checks every status code it meets against the schema) need the failures as well. Each
operation gets the error codes it can really answer, by what it takes.
"""

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every 4xx/5xx answer under /api/.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status again."},
                "code": {"type": "string", "description": "Machine-readable, e.g. invalid, not_found, throttled."},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Validation errors only: messages per field (nested for lines).",
                },
                "request_id": {"type": "string", "description": "As in the X-Request-ID header and the logs."},
            },
            "required": ["status", "code", "message", "request_id"],
        }
    },
    "required": ["error"],
}
ERRORS = {
    "400": "Invalid input: a body, query or workflow step that is refused (see `fields`).",
    "401": "Not signed in: send `Authorization: Token ...` or a session cookie.",
    "403": "Signed in, but the role lacks the permission (or a session request lacks its CSRF token).",
    "404": "No such row, or not one you may see; also an invalid page or cursor.",
    "409": "Conflicts with the current data, e.g. an Idempotency-Key reused with another body.",
    "413": "The request body is too large.",
    "415": "The body is not JSON (or a form).",
    "429": "Too many requests; retry after Retry-After seconds.",
    "503": "The database is unavailable or too slow; retry after Retry-After seconds.",
}
WRITES = {"post", "put", "patch", "delete"}


def _error_codes(method: str, operation: dict) -> set[str]:
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    codes = {"429", "503"}
    if {} not in operation.get("security", [{}]):  # "{}" would mean: anonymous callers welcome
        codes |= {"401", "403"}
    if has_body or method in WRITES or any(parameter["in"] == "query" for parameter in parameters):
        codes.add("400")
    if any(parameter["in"] in ("path", "query") for parameter in parameters):
        codes.add("404")  # a row by id, or a page or cursor past the end
    if method in WRITES:
        codes.add("409")
    if has_body:
        codes |= {"413", "415"}
    return codes


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error responses of every operation, sharing one schema."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for code in sorted(_error_codes(method, operation)):
                responses.setdefault(
                    code, {"description": ERRORS[code], "content": {"application/json": {"schema": reference}}}
                )
    return result
