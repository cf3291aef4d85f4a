from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from apps.samples.grading import graded_chart, graded_values, parse_steps

SIZES = ["XS", "S", "M", "L", "XL", "XXL"]


def test_graded_values_step_outwards_from_the_base_size():
    # Worked by hand: chest 50.00 in M; S and XS 2.00 smaller each, L 2.00 larger, XL and XXL 2.50 larger each.
    steps = {size: Decimal(step) for size, step in {"XS": "2", "S": "2", "L": "2", "XL": "2.5", "XXL": "2.5"}.items()}
    values = graded_values(sizes=SIZES, base_size="M", base_value=Decimal("50.00"), steps=steps)
    assert values == {
        "XS": Decimal("46.00"),
        "S": Decimal("48.00"),
        "M": Decimal("50.00"),
        "L": Decimal("52.00"),
        "XL": Decimal("54.50"),
        "XXL": Decimal("57.00"),
    }
    assert list(values) == SIZES  # smallest first, whatever the base


def test_graded_values_from_the_smallest_size_and_with_missing_steps_as_zero():
    values = graded_values(sizes=SIZES, base_size="XS", base_value=Decimal("30"), steps={"M": Decimal("1.5")})
    assert values == {"XS": 30, "S": 30, "M": Decimal("31.5"), "L": Decimal("31.5"), "XL": Decimal("31.5"), "XXL": 31.5}


def test_parse_steps_normalises_numbers_to_cents():
    assert parse_steps({"L": 2, "S": "1.5"}, sizes=SIZES, base_size="M") == {"L": Decimal("2.00"), "S": Decimal("1.50")}


@pytest.mark.parametrize(
    ("increments", "message"),
    [
        ({"M": "1"}, "M is the base size"),
        ({"4XL": "1"}, "4XL is not one of the sizes"),
        ({"L": "two"}, "The increment of L must be a number"),
        ({"L": None}, "The increment of L must be a number"),
        (["L", "1"], "Give the increments as"),
    ],
)
def test_parse_steps_refuses(increments, message):
    with pytest.raises(ValidationError) as refused:
        parse_steps(increments, sizes=SIZES, base_size="M")
    assert message in " ".join(refused.value.messages)


def test_graded_chart_is_every_size_by_point_code():
    points = [
        SimpleNamespace(code="A", base_value=Decimal("50.00"), increments={"L": "2.00", "S": "2.00"}),
        SimpleNamespace(code="B", base_value=Decimal("7.00"), increments={}),
    ]
    chart = graded_chart(sizes=["S", "M", "L"], base_size="M", points=points)
    assert chart == {
        "S": {"A": Decimal("48.00"), "B": Decimal("7.00")},
        "M": {"A": Decimal("50.00"), "B": Decimal("7.00")},
        "L": {"A": Decimal("52.00"), "B": Decimal("7.00")},
    }


def test_parse_steps_takes_sizes_in_any_case_and_keys_them_as_the_range_spells_them():
    assert parse_steps({"l": "2", " xs ": "1"}, sizes=SIZES, base_size="M") == {
        "L": Decimal("2.00"),
        "XS": Decimal("1.00"),
    }
    with pytest.raises(ValidationError, match="M is the base size"):
        parse_steps({"m": "1"}, sizes=SIZES, base_size="M")
    with pytest.raises(ValidationError, match="L is given twice"):
        parse_steps({"L": "1", "l": "2"}, sizes=SIZES, base_size="M")
