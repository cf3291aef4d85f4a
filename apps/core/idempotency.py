"""Exactly-once writes for retried requests (the Idempotency-Key header)."""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from rest_framework import exceptions
from rest_framework.response import Response

from .errors import Conflict
from .models import IdempotencyKey

HEADER = "Idempotency-Key"


def idempotent(request, *, scope: str, perform: Callable[[], Response]) -> Response:
    """Run `perform` once per (user, scope, key); a retry gets the first response back.

    The key row is inserted in the same transaction as the write, so a concurrent duplicate
    waits on the unique index until the first commits, then replays its answer. If the
    write fails, the key goes with it and a retry runs again. Without the header, `perform`
    simply runs.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return perform()
    if not 1 <= len(key) <= 255:
        raise exceptions.ValidationError({HEADER: ["Must be 1 to 255 characters."]})
    fingerprint = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
    lookup = {"user": request.user, "scope": scope, "key": key}

    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(**lookup, fingerprint=fingerprint, status_code=0, response={})
        except IntegrityError:
            previous = IdempotencyKey.objects.get(**lookup)
            if previous.fingerprint != fingerprint:
                raise Conflict(f"This {HEADER} was already used with a different request.") from None
            replay = Response(previous.response, status=previous.status_code)
            replay["Idempotent-Replayed"] = "true"
            return replay
        response = perform()
        record.status_code = response.status_code
        record.response = response.data
        record.save(update_fields=["status_code", "response"])
        return response
