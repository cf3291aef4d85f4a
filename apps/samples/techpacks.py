"""Writes to tech packs (versioned measurement charts) and to the measurements of fit samples.

A style's first tech pack is version 1; each buyer revision is a new version copying the newest
one's chart. Only the newest version may change, and only until a sample is made to it: the older
ones, and any a sample was made to, stay as they were (start a new version instead).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.audit import bulk_create_audited, delete_with_history
from apps.core.grids import repeated, spelled

from .grading import graded_chart
from .models import MeasurementPoint, Sample, SampleMeasurement, Style, TechPack

POINT_FIELDS = ("code", "description", "base_value", "tolerance", "increments")


def range_sizes(style: Style) -> list[str]:
    """The sizes of the style's range, smallest first; a style without a range cannot have a chart."""
    if style.size_range_id is None:
        raise ValidationError({"style": f"{style.code} has no size range: give it one before its tech pack."})
    return style.sizes


def _lock_style(style_id: int) -> Style:
    # Versions are numbered under this lock, so two revisions of one style never get the same number.
    return Style.objects.select_for_update(of=("self",)).select_related("size_range").get(pk=style_id)


def check_editable(tech_pack: TechPack) -> None:
    """Only the newest version, before any sample is made to it, may change (the admin's form asks too)."""
    newest = TechPack.objects.filter(style_id=tech_pack.style_id).order_by("-version").values("version")[:1]
    if newest[0]["version"] != tech_pack.version:
        raise ValidationError(
            f"v{tech_pack.version} is kept as it was: only the newest version (v{newest[0]['version']}) may change."
        )
    if tech_pack.samples.exists():
        raise ValidationError(
            f"Samples were made to v{tech_pack.version}, so it is kept as it was: start a new version."
        )


def validate_points(points: list[MeasurementPoint]) -> None:
    """Each point against its tech pack's sizes and base size; codes unique, ignoring case. Errors name the point by
    its place (the admin's chart asks too)."""
    twice = repeated(point.code for point in points)
    errors = [f"Each code once: {', '.join(twice)} repeated."] if twice else []
    for index, point in enumerate(points, start=1):
        try:
            point.full_clean(exclude=["tech_pack"], validate_unique=False)
        except ValidationError as error:
            errors.extend(
                f"Point {index} ({point.code}): {field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            )
    if errors:
        raise ValidationError({"points": errors})


def _replace_points(tech_pack: TechPack, points: list[dict]) -> None:
    """Write the chart in the order given (positions 1, 2, ...)."""
    rows = [
        MeasurementPoint(
            tech_pack=tech_pack, position=index, **{name: point[name] for name in POINT_FIELDS if name in point}
        )
        for index, point in enumerate(points, start=1)
    ]
    validate_points(rows)
    delete_with_history(tech_pack.points.all())
    bulk_create_audited(rows, MeasurementPoint)


@transaction.atomic
def tech_pack_create(
    *, style: Style, base_size: str, revision_note: str = "", points: list[dict] = (), created_by=None
):
    """A style's first tech pack, version 1, graded over the style's range, with its chart: [{code, description,
    base_value, tolerance, increments}]."""
    style = _lock_style(style.pk)
    if style.tech_packs.exists():
        raise ValidationError({"style": f"{style.code} has a tech pack already: start a new version of its newest."})
    tech_pack = TechPack(
        style=style,
        version=1,
        sizes=range_sizes(style),
        base_size=base_size,
        revision_note=revision_note,
        created_by=created_by,
    )
    tech_pack.full_clean()
    tech_pack.save()
    _replace_points(tech_pack, list(points))
    return tech_pack


@transaction.atomic
def tech_pack_update(*, tech_pack: TechPack, data: dict, points: list[dict] | None = None) -> TechPack:
    """Change the newest version's base size or revision note and, when given, replace its chart; refused for
    older versions and for one a sample was made to."""
    _lock_style(tech_pack.style_id)
    tech_pack = TechPack.objects.get(pk=tech_pack.pk)
    check_editable(tech_pack)
    for name, value in data.items():
        setattr(tech_pack, name, value)
    tech_pack.full_clean()
    tech_pack.save()
    if points is not None:
        _replace_points(tech_pack, points)
    elif "base_size" in data:  # the chart it keeps must fit the new base size
        kept = list(tech_pack.points.all())
        for point in kept:
            point.tech_pack = tech_pack
        validate_points(kept)
    return tech_pack


@transaction.atomic
def tech_pack_new_version(*, tech_pack: TechPack, revision_note: str, created_by=None) -> TechPack:
    """Start version N+1 from the newest version N on a buyer's revision: the same base size and chart, graded over
    the style's range as it is now (a size no longer in it loses its increments)."""
    style = _lock_style(tech_pack.style_id)
    newest = style.tech_packs.order_by("-version").first()
    if newest.pk != tech_pack.pk:
        raise ValidationError(
            f"v{tech_pack.version} is not the newest version: start the new version from v{newest.version}."
        )
    sizes = range_sizes(style)
    if spelled(newest.base_size, sizes) is None:
        raise ValidationError(
            {"base_size": f"{newest.base_size} is no longer one of {style.code}'s sizes ({', '.join(sizes)})."}
        )
    version = TechPack(
        style=style,
        version=newest.version + 1,
        sizes=sizes,
        base_size=newest.base_size,
        revision_note=revision_note,
        created_by=created_by,
    )
    version.full_clean()  # the base size, and below the increments, as the range spells them now
    version.save()
    points = [
        {**point, "increments": {size: step for size, step in point["increments"].items() if spelled(size, sizes)}}
        for point in newest.points.values(*POINT_FIELDS)
    ]
    _replace_points(version, points)
    return version


def check_measured_spec_kept(*, sample: Sample, data: dict) -> None:
    """A measured sample keeps the tech pack and size its measurements were checked against (the admin's form asks
    too); a size given in another case is the same size."""
    now = {"tech_pack": sample.tech_pack_id, "size": sample.size.lower()}
    given = {name: getattr(value, "pk", value) for name, value in data.items() if name in now}
    if "size" in given:
        given["size"] = (given["size"] or "").strip().lower()
    changing = {name for name, value in given.items() if value != now[name]}
    if changing and sample.measurements.exists():
        raise ValidationError(
            {name: "The sample has measurements checked against it: it cannot change." for name in changing}
        )


def measurable(*, tech_pack: TechPack | None, size: str, codes) -> tuple[str, dict[str, MeasurementPoint]]:
    """The size, as the tech pack spells it, and {code: point} of the tech pack's points, for measuring a sample
    made to `tech_pack` in `size` at the points `codes`; refused without a tech pack, in a size not of the tech
    pack's, or at a point not on its chart (the admin's measurements ask too)."""
    if tech_pack is None:
        raise ValidationError({"tech_pack": "Record the tech-pack version the sample was made to before measuring it."})
    spelt = spelled(size, tech_pack.sizes)
    if spelt is None:
        raise ValidationError(
            {"size": f"Measured in size {size or '(none)'}: not one of the tech pack's sizes "
             f"({', '.join(tech_pack.sizes)})."}
        )  # fmt: skip
    points = {point.code: point for point in tech_pack.points.all()}
    unknown = sorted(set(codes) - set(points))
    if unknown:
        raise ValidationError(
            {"measurements": f"Not points of the tech pack (v{tech_pack.version}): {', '.join(unknown)}."}
        )
    return spelt, points


@transaction.atomic
def sample_record_measurements(*, sample: Sample, measured: dict[str, Decimal]) -> list[SampleMeasurement]:
    """Replace a sample's measurements with {point code: measured}, each checked against the spec of its tech
    pack in its size (value and tolerance kept with the measurement, as they were when recorded)."""
    sample = Sample.objects.select_for_update(of=("self",)).select_related("tech_pack").get(pk=sample.pk)
    tech_pack = sample.tech_pack
    size, points = measurable(tech_pack=tech_pack, size=sample.size, codes=measured)
    spec = graded_chart(sizes=tech_pack.sizes, base_size=tech_pack.base_size, points=points.values())[size]
    rows = [
        SampleMeasurement(
            sample=sample, point=points[code], measured=value, spec=spec[code], tolerance=points[code].tolerance
        )
        for code, value in measured.items()
    ]
    for row in rows:
        row.full_clean(exclude=["sample", "point"], validate_unique=False)
    delete_with_history(sample.measurements.all())
    return bulk_create_audited(rows, SampleMeasurement)
