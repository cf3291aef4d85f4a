"""Grading a measurement chart: from a point's value in the base size to its value in every size.

Pure functions over sizes (smallest first), a base size and per-size steps, so the rules are the
same for the services, the API, the admin and the tests. A step is the difference between a size
and its neighbour nearer the base: sizes above the base add their step to the size below them,
sizes below the base subtract their step from the size above them. A size without a step grades
by 0 (the point does not grade there, e.g. a collar height): a chart lists only the steps that
are not 0, and a size added to a range later does not make every chart invalid.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from apps.core.grids import spelled

CENTS = Decimal("0.01")


def graded_values(*, sizes: list[str], base_size: str, base_value: Decimal, steps: Mapping[str, Decimal]) -> dict:
    """{size: value} for every size, smallest first: the base value, then step by step outwards."""
    base = sizes.index(base_size)
    values = {base_size: base_value}
    for index in range(base + 1, len(sizes)):
        values[sizes[index]] = values[sizes[index - 1]] + steps.get(sizes[index], 0)
    for index in range(base - 1, -1, -1):
        values[sizes[index]] = values[sizes[index + 1]] - steps.get(sizes[index], 0)
    return {size: values[size] for size in sizes}


def parse_steps(increments: Mapping, *, sizes: list[str], base_size: str) -> dict[str, Decimal]:
    """A point's stored increments ({"L": "2.00"}) as Decimals keyed by the sizes as spelled (any case
    given), refusing sizes outside the range, a size twice, the base size itself (it has its base value,
    not a step) and anything that is not a number."""
    if not isinstance(increments, Mapping):
        raise ValidationError('Give the increments as {"size": step}, e.g. {"L": "2.00"}.')
    errors, steps = [], {}
    for given, step in increments.items():
        size = spelled(given, sizes)
        if size is None:
            errors.append(f"{given} is not one of the sizes {', '.join(sizes)}.")
        elif size == base_size:
            errors.append(f"{size} is the base size: it has the base value, not an increment.")
        elif size in steps:
            errors.append(f"{size} is given twice.")
        else:
            try:
                steps[size] = Decimal(str(step)).quantize(CENTS)
            except (InvalidOperation, ValueError, TypeError):
                errors.append(f"The increment of {size} must be a number, not {step!r}.")
    if errors:
        raise ValidationError(errors)
    return steps


def graded_chart(*, sizes: list[str], base_size: str, points: Iterable) -> dict[str, dict[str, Decimal]]:
    """The chart in every size: {size: {point code: value}}, from points with code, base_value and increments."""
    chart = {size: {} for size in sizes}
    for point in points:
        steps = parse_steps(point.increments, sizes=sizes, base_size=base_size)
        for size, value in graded_values(
            sizes=sizes, base_size=base_size, base_value=point.base_value, steps=steps
        ).items():
            chart[size][point.code] = value
    return chart
