"""Typed readers for settings taken from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: str | None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_str(name: str, default: str | None = None) -> str:
    """The variable as text; without a default it is required."""
    return _raw(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name, str(default)).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = _raw(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def env_float(name: str, default: float) -> float:
    value = _raw(name, str(default))
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    """Comma-separated values, blanks dropped."""
    return [item.strip() for item in _raw(name, default).split(",") if item.strip()]
