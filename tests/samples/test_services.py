from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.samples import services
from apps.samples.choices import SampleStatus
from tests.buyers.factories import BuyerFactory
from tests.inventory.factories import MaterialFactory
from tests.samples.factories import SampleFactory, StyleFactory

pytestmark = pytest.mark.django_db

ALL = set(SampleStatus.values)
LEGAL = {
    SampleStatus.REQUESTED: {SampleStatus.IN_PROGRESS},
    SampleStatus.IN_PROGRESS: {SampleStatus.SUBMITTED},
    SampleStatus.SUBMITTED: {SampleStatus.APPROVED, SampleStatus.REJECTED},
    SampleStatus.APPROVED: set(),
    SampleStatus.REJECTED: set(),
}


def test_sample_request_numbers_and_belongs_to_the_styles_buyer():
    style = StyleFactory()
    first = services.sample_request(style=style, type="proto")
    second = services.sample_request(style=style, type="fit")
    assert first.number.startswith("S") and first.number != second.number
    assert (first.buyer_id, first.status) == (style.buyer_id, SampleStatus.REQUESTED)


def test_sample_request_refuses_an_unknown_type():
    with pytest.raises(ValidationError) as error:
        services.sample_request(style=StyleFactory(), type="photo")
    assert "type" in error.value.message_dict


def test_sample_full_workflow_stamps_times():
    sample = services.sample_request(style=StyleFactory(), type="pp")
    sample = services.sample_transition(sample=sample, status=SampleStatus.IN_PROGRESS)
    assert sample.submitted_at is None
    sample = services.sample_transition(sample=sample, status=SampleStatus.SUBMITTED)
    assert sample.submitted_at is not None and sample.approved_at is None
    sample = services.sample_transition(sample=sample, status=SampleStatus.APPROVED, comments="Approved with notes")
    sample.refresh_from_db()
    assert sample.status == SampleStatus.APPROVED
    assert sample.approved_at >= sample.submitted_at
    assert "Approved with notes" in sample.comments


def test_sample_rejection_stamps_rejected_at():
    sample = SampleFactory(status=SampleStatus.SUBMITTED)
    sample = services.sample_transition(sample=sample, status=SampleStatus.REJECTED)
    assert sample.rejected_at is not None and sample.approved_at is None


@pytest.mark.parametrize(
    ("current", "target"),
    [(current, target) for current, allowed in LEGAL.items() for target in sorted(ALL - allowed)],
)
def test_sample_every_illegal_transition_is_refused(current, target):
    sample = SampleFactory(status=current)
    with pytest.raises(ValidationError) as error:
        services.sample_transition(sample=sample, status=target)
    assert f"from '{current}' to '{target}'" in error.value.message_dict["status"][0]
    sample.refresh_from_db()
    assert sample.status == current and sample.submitted_at is None


def test_sample_update_cannot_touch_the_status():
    sample = SampleFactory()
    with pytest.raises(ValueError, match="status"):
        services.sample_update(sample=sample, data={"status": SampleStatus.APPROVED})


def test_style_set_materials_replaces_the_bill():
    style = StyleFactory()
    fabric, button = MaterialFactory(), MaterialFactory()
    services.style_set_materials(style=style, materials=[{"material": fabric, "consumption_per_piece": Decimal("1.5")}])
    services.style_set_materials(
        style=style,
        materials=[{"material": button, "consumption_per_piece": Decimal("8"), "wastage_percent": Decimal("2")}],
    )
    assert [(line.material, line.consumption_per_piece) for line in style.materials.all()] == [(button, Decimal("8"))]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"consumption_per_piece": Decimal("0")}, "consumption_per_piece"),
        ({"wastage_percent": Decimal("101")}, "wastage_percent"),
    ],
)
def test_style_set_materials_refuses_bad_lines_and_keeps_the_old_bill(line, field):
    style = StyleFactory()
    keep = MaterialFactory()
    services.style_set_materials(style=style, materials=[{"material": keep, "consumption_per_piece": Decimal("1")}])
    with pytest.raises(ValidationError) as error:
        services.style_set_materials(
            style=style, materials=[{"material": MaterialFactory(), "consumption_per_piece": Decimal("1"), **line}]
        )
    assert field in error.value.message_dict
    assert [bom.material for bom in style.materials.all()] == [keep]


def test_style_set_materials_refuses_a_material_twice():
    style, fabric = StyleFactory(), MaterialFactory()
    line = {"material": fabric, "consumption_per_piece": Decimal("1")}
    with pytest.raises(ValidationError, match="listed twice"):
        services.style_set_materials(style=style, materials=[line, line])


def test_style_create_refuses_duplicate_code():
    StyleFactory(code="DUP")
    with pytest.raises(ValidationError) as error:
        services.style_create(code="DUP", name="x", buyer=BuyerFactory(), season="SS27", category="tops")
    assert "code" in error.value.message_dict


def test_style_sizes_are_its_range_sizes_or_none():
    assert StyleFactory().sizes == ["XS", "S", "M", "L", "XL", "XXL"]
    assert StyleFactory(size_range=None, colourways=[]).sizes == []


def test_colourways_used_by_bill_of_materials_lines_are_kept():
    style = StyleFactory(colourways=["Navy", "White"])
    services.style_set_materials(
        style=style,
        materials=[{"material": MaterialFactory(), "consumption_per_piece": Decimal("1"), "colour": "navy"}],
    )
    with pytest.raises(ValidationError) as refused:
        services.style_set_colourways(style=style, colourways=[{"name": "White"}])
    assert refused.value.message_dict["colourways"] == [
        f"Bill-of-materials lines of {style.code} use Navy; keep those colourways."
    ]
    assert list(style.colourways.values_list("name", flat=True)) == ["Navy", "White"]
