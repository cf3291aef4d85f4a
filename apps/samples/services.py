"""Writes to styles, bills of materials and samples."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.audit import bulk_create_audited, delete_with_history
from apps.core.cache import bump
from apps.core.grids import by_size, not_a_colourway, repeated, spelled
from apps.core.numbering import next_number
from apps.core.services import create_validated, update_validated

from .choices import SAMPLE_WORKFLOW, SampleStatus
from .models import Colourway, Sample, SizeRange, Style, StyleMaterial
from .techpacks import check_measured_spec_kept

# When a sample reaches these statuses, the matching timestamp is stamped.
_STAMPS = {
    SampleStatus.SUBMITTED: "submitted_at",
    SampleStatus.APPROVED: "approved_at",
    SampleStatus.REJECTED: "rejected_at",
}


def style_create(**fields) -> Style:
    """Create a style (code, name, buyer, season, category, target price)."""
    return create_validated(Style, **fields)


@transaction.atomic
def style_update(*, style: Style, data: dict) -> Style:
    """Change a style's details; its code never changes, nor its size range to one without the sizes
    its order lines use."""
    if "size_range" in data:
        problem = style_size_range_problem(style=style, size_range=data["size_range"])
        if problem:
            raise ValidationError({"size_range": problem})
    return update_validated(style, data)


def style_size_range_problem(*, style: Style, size_range: SizeRange | None) -> str | None:
    """Why the style may not move to `size_range` (the admin's form asks too): sizes its order lines use."""
    if style.pk is None or size_range == style.size_range:
        return None
    used = _order_line_values_outside(Style.objects.filter(pk=style.pk), "size", size_range.sizes if size_range else [])
    return f"Order lines of {style.code} use the sizes {', '.join(used)}; the range must have them." if used else None


def _order_line_values_outside(styles, field: str, kept) -> list[str]:
    """The `field` values ("colour" or "size") that order lines of `styles` use and `kept` lacks, in any case."""
    return sorted(
        set(
            styles.annotate(value=Lower(f"order_lines__{field}"))
            .exclude(value__isnull=True)
            .exclude(value__in=[name.strip().lower() for name in kept])
            .order_by()
            .values_list(f"order_lines__{field}", flat=True)
            .distinct()
        )
    )


def size_range_problems(*, size_range: SizeRange | None, sizes: list[str]) -> list[str]:
    """What keeps these sizes (trimmed) from being the range's (None: a new range): none at all, one
    twice (sizes ignore case), or a size dropped that order lines of the range's styles use."""
    if not sizes:
        return ["A size range needs at least one size."]
    problems = [f"{size} is listed twice (sizes ignore case)." for size in repeated(sizes)]
    if size_range is not None:
        used = _order_line_values_outside(size_range.styles.all(), "size", sizes)
        if used:
            problems.append(f"Order lines of styles in {size_range.code} use {', '.join(used)}; keep those sizes.")
    return problems


def size_range_create(*, code: str, name: str, sizes: list[str]) -> SizeRange:
    """Create a size range, its sizes smallest first."""
    sizes = [size.strip() for size in sizes]
    problems = size_range_problems(size_range=None, sizes=sizes)
    if problems:
        raise ValidationError({"sizes": problems})
    return create_validated(SizeRange, code=code, name=name, sizes=sizes)


@transaction.atomic
def size_range_update(*, size_range: SizeRange, data: dict) -> SizeRange:
    """Rename a size range or change its sizes; a size that order lines of its styles use stays."""
    if "sizes" in data:
        data = {**data, "sizes": [size.strip() for size in data["sizes"]]}
        size_range = SizeRange.objects.select_for_update().get(pk=size_range.pk)
        problems = size_range_problems(size_range=size_range, sizes=data["sizes"])
        if problems:
            raise ValidationError({"sizes": problems})
    return update_validated(size_range, data)


@transaction.atomic
def size_range_delete(*, size_range: SizeRange) -> None:
    """Delete a size range no style uses."""
    size_range = SizeRange.objects.select_for_update().get(pk=size_range.pk)
    codes = list(size_range.styles.order_by("code").values_list("code", flat=True)[:4])
    if codes:
        shown = ", ".join(codes[:3]) + (" and others" if len(codes) > 3 else "")
        raise ValidationError({"size_range": f"Styles {shown} use {size_range.code}; it cannot be deleted."})
    delete_with_history(SizeRange.objects.filter(pk=size_range.pk))


def colourway_problems(*, style: Style, names: list[str]) -> list[str]:
    """What keeps these names (trimmed) from being the style's colourways: one twice (names ignore
    case), or a colourway dropped that order lines or bill-of-materials lines of the style use."""
    problems = [f"{name} is listed twice (colourways ignore case)." for name in repeated(names)]
    if style.pk:
        used = _order_line_values_outside(Style.objects.filter(pk=style.pk), "colour", names)
        if used:
            problems.append(f"Order lines of {style.code} use {', '.join(used)}; keep those colourways.")
        kept = [name.strip().lower() for name in names]
        billed = sorted(
            set(
                style.materials.exclude(colour="")
                .annotate(lowered=Lower("colour"))
                .exclude(lowered__in=kept)
                .values_list("colour", flat=True)
            )
        )
        if billed:
            problems.append(f"Bill-of-materials lines of {style.code} use {', '.join(billed)}; keep those colourways.")
    return problems


@transaction.atomic
def style_set_colourways(*, style: Style, colourways: list[dict]) -> list[Colourway]:
    """Replace a style's colourways: [{"name": "Navy", "code": "19-4052 TCX"}], code optional."""
    style = Style.objects.select_for_update().get(pk=style.pk)
    rows = [
        Colourway(style=style, name=entry["name"].strip(), code=entry.get("code", "").strip()) for entry in colourways
    ]
    problems = colourway_problems(style=style, names=[row.name for row in rows])
    if problems:
        raise ValidationError({"colourways": problems})
    for row in rows:
        row.full_clean(exclude=["style"], validate_unique=False, validate_constraints=False)
    delete_with_history(style.colourways.all())
    bump(Colourway)  # bulk writes send no signals; style lists show the colourways
    return bulk_create_audited(rows, Colourway)


# A graded consumption has consumption_per_piece's precision: 12 digits, 4 of them decimals.
CONSUMPTION_PLACES = Decimal("0.0001")
CONSUMPTION_LIMIT = Decimal("1E8")


def _consumption(value) -> Decimal | None:
    """`value` (a string or JSON number) as a positive Decimal of at most 4 places, or None if it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or not 0 < number < CONSUMPTION_LIMIT or number != number.quantize(CONSUMPTION_PLACES):
        return None
    return number


@dataclass(frozen=True)
class BomChoices:
    """What a style's bill-of-materials lines may name: the sizes of its range and its colourways."""

    size_range: SizeRange | None
    colours: tuple[str, ...]

    @classmethod
    def of(cls, style: Style) -> "BomChoices":
        """The style's choices as they stand (an unsaved style has no colourways yet): one query."""
        colours = tuple(style.colourways.values_list("name", flat=True)) if style.pk else ()
        return cls(size_range=style.size_range, colours=colours)

    def clean_line(self, *, colour: str, size_consumption) -> tuple[str, dict[str, str]]:
        """A line's colour in its colourway's spelling (blank: every colourway) and its size
        consumption as {size: "1.4500"} in the range's order; raises ValidationError per field,
        naming each colour or size that is not the style's."""
        errors = {}
        colour = (colour or "").strip()
        if colour:
            known = spelled(colour, self.colours)
            if known is None:
                errors["colour"] = not_a_colourway(colour, self.colours)
            colour = known or colour
        graded, problems = self._graded(size_consumption)
        if problems:
            errors["size_consumption"] = problems
        if errors:
            raise ValidationError(errors)
        return colour, graded

    def _graded(self, size_consumption) -> tuple[dict[str, str], list[str]]:
        if not isinstance(size_consumption, dict):
            return {}, ['Size consumption must be an object of sizes and consumptions: {"XL": "1.4500"}.']
        if not size_consumption:
            return {}, []
        if self.size_range is None:
            return {}, ["This style has no size range: choose one before grading consumption per size."]
        values, problems = by_size(size_consumption, sizes=self.size_range.sizes)
        found = {}
        for size, value in values.items():
            consumption = _consumption(value)
            if consumption is None:
                problems.append(f"{size}: {value!r} is not a positive consumption with at most 4 decimal places.")
            else:
                found[size] = str(consumption.quantize(CONSUMPTION_PLACES))
        return {size: found[size] for size in self.size_range.sizes if size in found}, problems


@transaction.atomic
def style_set_materials(*, style: Style, materials: list[dict]) -> list[StyleMaterial]:
    """Replace a style's bill of materials: [{"material": m, "consumption_per_piece": d, "wastage_percent": d,
    "colour": "Navy", "size_consumption": {"XL": "1.4500"}}], colour and size_consumption optional.

    Colours must be colourways of the style and graded sizes sizes of its range (both spelled as
    the style spells them once saved); a material appears once per colour, and once without one.
    """
    style = Style.objects.select_for_update(of=("self",)).select_related("size_range").get(pk=style.pk)
    choices = BomChoices.of(style)
    lines, problems, seen = [], [], set()
    for number, line in enumerate(materials, start=1):
        try:
            colour, graded = choices.clean_line(
                colour=line.get("colour", ""), size_consumption=line.get("size_consumption", {})
            )
        except ValidationError as error:
            problems += [f"Line {number}: {message}" for message in error.messages]
            continue
        if (line["material"].pk, colour) in seen:
            problems.append(
                f"Line {number}: {line['material'].code} is listed twice{f' for {colour}' if colour else ''}."
            )
        seen.add((line["material"].pk, colour))
        lines.append(StyleMaterial(style=style, **{**line, "colour": colour, "size_consumption": graded}))
    if problems:
        raise ValidationError({"materials": problems})
    delete_with_history(style.materials.all())
    for line in lines:
        line.full_clean(exclude=["style"], validate_unique=False)
    return bulk_create_audited(lines, StyleMaterial)


@transaction.atomic
def sample_request(
    *, style: Style, type: str, due_date=None, comments: str = "", tech_pack=None, size: str = ""
) -> Sample:
    """Request a new sample of a style (made to one of its tech-pack versions, in one of its sizes); it starts as
    requested and belongs to the style's buyer."""
    sample = Sample(
        style=style,
        buyer_id=style.buyer_id,
        type=type,
        due_date=due_date,
        comments=comments,
        tech_pack=tech_pack,
        size=size,
    )
    sample.number = next_number("samples_sample_number_seq", "S")
    sample.full_clean()
    sample.save()
    return sample


@transaction.atomic
def sample_update(*, sample: Sample, data: dict) -> Sample:
    """Change a sample's type, due date, comments, tech pack or size (not once measured); status moves only through
    sample_transition."""
    check_measured_spec_kept(sample=Sample.objects.select_for_update().get(pk=sample.pk), data=data)
    return update_validated(sample, data, fixed=("number", "style", "buyer", "status"))


@transaction.atomic
def sample_transition(*, sample: Sample, status: str, comments: str = "") -> Sample:
    """Move a sample along its workflow, stamping submitted/approved/rejected times; illegal moves are refused."""
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    SAMPLE_WORKFLOW.check(sample.status, status)
    sample.status = status
    changed = ["status", "updated_at"]
    if status in _STAMPS:
        setattr(sample, _STAMPS[status], timezone.now())
        changed.append(_STAMPS[status])
    if comments:
        sample.comments = f"{sample.comments}\n{comments}".strip()
        changed.append("comments")
    sample.save(update_fields=changed)
    return sample
