from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.samples import services, techpacks
from apps.samples.models import MeasurementPoint, SampleMeasurement, TechPack
from tests.samples.factories import SampleFactory, SizeRangeFactory, StyleFactory

pytestmark = pytest.mark.django_db

CHART = [
    {"code": "A", "description": "Chest width", "base_value": "50.00", "tolerance": "1.00",
     "increments": {"S": "2", "XS": "2", "L": "2", "XL": "2.5", "XXL": "2.5"}},
    {"code": "B", "description": "Body length", "base_value": "70.00", "tolerance": "1.50",
     "increments": {"S": "1", "L": "1"}},
    {"code": "C", "description": "Collar height", "base_value": "7.00", "tolerance": "0.30", "increments": {}},
]  # fmt: skip


def make_pack(**fields):
    return techpacks.tech_pack_create(style=fields.pop("style", None) or StyleFactory(), base_size="M", points=CHART)


def chart_of(tech_pack):
    return list(tech_pack.points.values_list("code", "base_value", "tolerance", "increments", "position"))


def refusal(call, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        call(**kwargs)
    return " ".join(refused.value.messages)


def test_tech_pack_create_is_version_1_over_the_style_range():
    pack = make_pack()
    assert (pack.version, pack.sizes, pack.base_size) == (1, ["XS", "S", "M", "L", "XL", "XXL"], "M")
    assert [row[0] for row in chart_of(pack)] == ["A", "B", "C"]
    assert pack.points.get(code="A").increments == {"S": "2.00", "XS": "2.00", "L": "2.00", "XL": "2.50", "XXL": "2.50"}


def test_tech_pack_create_refuses_a_second_first_version_and_a_style_without_range():
    pack = make_pack()
    assert "has a tech pack already" in refusal(techpacks.tech_pack_create, style=pack.style, base_size="M")
    style = StyleFactory(size_range=None)
    assert "has no size range" in refusal(techpacks.tech_pack_create, style=style, base_size="M")
    assert TechPack.objects.count() == 1


@pytest.mark.parametrize(
    ("base_size", "points", "message"),
    [
        ("4XL", [], "4XL is not one of the sizes"),
        ("M", [{**CHART[0], "increments": {"M": "1"}}], "M is the base size"),
        ("M", [{**CHART[0], "increments": {"4XL": "1"}}], "4XL is not one of the sizes"),
        ("M", [{**CHART[0], "tolerance": "-0.5"}], "tolerance"),
        ("M", [CHART[0], {**CHART[1], "code": "A"}], "A repeated"),
        ("M", [{**CHART[2], "increments": {"S": "5", "XS": "5"}}], "grade C below 0: XS"),
    ],
)
def test_tech_pack_create_refuses_bad_charts_and_writes_nothing(base_size, points, message):
    style = StyleFactory()
    assert message in refusal(techpacks.tech_pack_create, style=style, base_size=base_size, points=points)
    assert not TechPack.objects.exists() and not MeasurementPoint.objects.exists()


def test_new_version_copies_the_chart_and_leaves_the_old_version_as_it_was():
    v1 = make_pack()
    sample = SampleFactory(style=v1.style, tech_pack=v1, size="L")
    before = chart_of(v1)
    v2 = techpacks.tech_pack_new_version(tech_pack=v1, revision_note="Buyer: chest +1 cm")
    assert (v2.version, v2.revision_note, v2.base_size) == (2, "Buyer: chest +1 cm", "M")
    assert chart_of(v2) == before
    techpacks.tech_pack_update(tech_pack=v2, data={}, points=[{**CHART[0], "base_value": "51.00"}])
    assert chart_of(v1) == before  # values and points of v1 untouched
    sample.refresh_from_db()
    assert sample.tech_pack_id == v1.pk
    assert list(v2.points.values_list("code", "base_value")) == [("A", Decimal("51.00"))]


def test_new_version_only_from_the_newest():
    v1 = make_pack()
    techpacks.tech_pack_new_version(tech_pack=v1, revision_note="r2")
    assert "not the newest version" in refusal(techpacks.tech_pack_new_version, tech_pack=v1, revision_note="r3")
    assert v1.style.tech_packs.count() == 2


def test_new_version_follows_the_style_range_as_it_is_now():
    v1 = make_pack()
    v1.style.size_range = SizeRangeFactory(code="S-XL", sizes=["S", "M", "L", "XL"])
    v1.style.save()
    v2 = techpacks.tech_pack_new_version(tech_pack=v1, revision_note="Range cut")
    assert v2.sizes == ["S", "M", "L", "XL"]
    assert v2.points.get(code="A").increments == {"S": "2.00", "L": "2.00", "XL": "2.50"}
    assert v1.points.get(code="A").increments["XXL"] == "2.50"


def test_older_versions_and_versions_with_samples_refuse_edits():
    v1 = make_pack()
    v2 = techpacks.tech_pack_new_version(tech_pack=v1, revision_note="r2")
    message = refusal(techpacks.tech_pack_update, tech_pack=v1, data={"revision_note": "sneaky"}, points=[])
    assert "only the newest version (v2) may change" in message
    SampleFactory(style=v2.style, tech_pack=v2, size="M")
    assert "Samples were made to v2" in refusal(techpacks.tech_pack_update, tech_pack=v2, data={"base_size": "L"})
    v1.refresh_from_db()
    assert v1.revision_note == "" and v1.points.count() == 3


def test_update_of_base_size_checks_the_kept_chart():
    pack = make_pack()
    assert "L is the base size" in refusal(techpacks.tech_pack_update, tech_pack=pack, data={"base_size": "L"})
    pack.refresh_from_db()
    assert pack.base_size == "M"


def test_sample_refuses_another_style_tech_pack_and_a_size_outside_the_range():
    pack, other = make_pack(), make_pack()
    with pytest.raises(ValidationError) as refused:
        services.sample_request(style=other.style, type="fit", tech_pack=pack, size="4XL")
    assert set(refused.value.message_dict) == {"tech_pack", "size"}


def measured_sample(size="L"):
    pack = make_pack()
    sample = services.sample_request(style=pack.style, type="fit", tech_pack=pack, size=size)
    return pack, sample


def test_measurements_snapshot_the_graded_spec_and_flag_points_out_of_tolerance():
    _, sample = measured_sample("XL")  # spec in XL: A 54.50 ± 1.00, B 71.00 ± 1.50, C 7.00 ± 0.30
    rows = techpacks.sample_record_measurements(
        sample=sample, measured={"A": Decimal("56.00"), "B": Decimal("70.00"), "C": Decimal("7.30")}
    )
    assert {row.point.code: (row.spec, row.tolerance) for row in rows} == {
        "A": (Decimal("54.50"), Decimal("1.00")),
        "B": (Decimal("71.00"), Decimal("1.50")),
        "C": (Decimal("7.00"), Decimal("0.30")),
    }
    flagged = dict(SampleMeasurement.objects.values_list("point__code", "out_of_tolerance"))
    assert flagged == {"A": True, "B": False, "C": False}  # 1.50 over; 1.00 under; exactly at the tolerance


def test_measurements_keep_their_spec_when_the_chart_changes_later():
    pack, sample = measured_sample()
    techpacks.sample_record_measurements(sample=sample, measured={"A": Decimal("52.00")})
    v2 = techpacks.tech_pack_new_version(tech_pack=pack, revision_note="r2")
    techpacks.tech_pack_update(tech_pack=v2, data={}, points=[{**CHART[0], "base_value": "60.00"}])
    assert SampleMeasurement.objects.get().spec == Decimal("52.00")


def test_measurements_replace_the_earlier_ones():
    _, sample = measured_sample()
    techpacks.sample_record_measurements(sample=sample, measured={"A": Decimal("52.00"), "B": Decimal("71.00")})
    techpacks.sample_record_measurements(sample=sample, measured={"B": Decimal("71.50")})
    assert list(sample.measurements.values_list("point__code", "measured")) == [("B", Decimal("71.50"))]


@pytest.mark.parametrize(
    ("sample_fields", "measured", "message"),
    [
        ({"tech_pack": None}, {"A": Decimal("50")}, "Record the tech-pack version"),
        ({"size": ""}, {"A": Decimal("50")}, "Measured in size (none)"),
        ({}, {"Z": Decimal("50")}, "Not points of the tech pack (v1): Z"),
        ({}, {"A": Decimal("-1")}, "greater than or equal to 0"),
    ],
)
def test_measurements_refused(sample_fields, measured, message):
    _, sample = measured_sample()
    techpacks.sample_record_measurements(sample=sample, measured={"B": Decimal("71.00")})
    type(sample).objects.filter(pk=sample.pk).update(**sample_fields)
    assert message in refusal(techpacks.sample_record_measurements, sample=sample, measured=measured)
    assert list(sample.measurements.values_list("point__code", flat=True)) == ["B"]


def test_sample_with_a_tech_pack_is_sized_by_the_tech_pack_not_the_style_range_now():
    pack, sample = measured_sample()
    pack.style.size_range = SizeRangeFactory(code="S-4XL", sizes=["S", "M", "L", "XL", "XXL", "4XL"])
    pack.style.save()
    message = refusal(services.sample_update, sample=sample, data={"size": "4XL"})  # in the style's range now
    assert message == f"4XL is not a size of {pack.style.code} v1 (XS, S, M, L, XL, XXL)."
    assert services.sample_update(sample=sample, data={"size": "xs"}).size == "XS"  # no longer in the range
    sample.refresh_from_db()
    assert sample.size == "XS"


def test_sample_size_is_taken_in_any_case_and_stored_as_the_range_spells_it():
    style = StyleFactory()
    assert services.sample_request(style=style, type="fit", size=" m ").size == "M"
    assert "xxxl is not a size of" in refusal(services.sample_request, style=style, type="fit", size="xxxl")


def test_tech_pack_base_size_and_increments_in_any_case_are_stored_as_the_range_spells_them():
    points = [{**CHART[0], "increments": {"l": "2", "xs": "1"}}]
    pack = techpacks.tech_pack_create(style=StyleFactory(), base_size="m", points=points)
    pack.refresh_from_db()
    assert (pack.base_size, pack.points.get().increments) == ("M", {"L": "2.00", "XS": "1.00"})


def test_measurement_in_a_size_outside_the_tech_pack_refused():
    _, sample = measured_sample()
    type(sample).objects.filter(pk=sample.pk).update(size="4XL")  # stored before sizes followed the tech pack
    message = refusal(techpacks.sample_record_measurements, sample=sample, measured={"A": Decimal("60")})
    assert "Measured in size 4XL: not one of the tech pack's sizes" in message


def test_chart_codes_are_unique_in_any_case():
    points = [CHART[0], {**CHART[1], "code": "a"}]
    message = refusal(techpacks.tech_pack_create, style=StyleFactory(), base_size="M", points=points)
    assert "Each code once: A repeated." in message
    assert not TechPack.objects.exists()


def test_measured_sample_keeps_its_tech_pack_and_size():
    _, sample = measured_sample()
    techpacks.sample_record_measurements(sample=sample, measured={"A": Decimal("52.00")})
    services.sample_update(sample=sample, data={"size": "L", "comments": "same size is fine"})
    with pytest.raises(ValidationError) as refused:
        services.sample_update(sample=sample, data={"size": "XL"})
    assert "size" in refused.value.message_dict
    sample.refresh_from_db()
    assert sample.size == "L"


def test_measured_sample_size_in_another_case_is_the_same_size():
    _, sample = measured_sample()
    techpacks.sample_record_measurements(sample=sample, measured={"A": Decimal("52.00")})
    assert services.sample_update(sample=sample, data={"size": "l"}).size == "L"
