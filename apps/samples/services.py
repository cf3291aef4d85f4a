"""Writes to styles, bills of materials and samples."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.audit import bulk_create_audited, delete_with_history
from apps.core.numbering import next_number
from apps.core.services import create_validated, update_validated

from .choices import SAMPLE_WORKFLOW, SampleStatus
from .models import Sample, Style, StyleMaterial

# When a sample reaches these statuses, the matching timestamp is stamped.
_STAMPS = {
    SampleStatus.SUBMITTED: "submitted_at",
    SampleStatus.APPROVED: "approved_at",
    SampleStatus.REJECTED: "rejected_at",
}


def style_create(**fields) -> Style:
    """Create a style (code, name, buyer, season, category, target price)."""
    return create_validated(Style, **fields)


def style_update(*, style: Style, data: dict) -> Style:
    """Change a style's details; its code never changes."""
    return update_validated(style, data)


@transaction.atomic
def style_set_materials(*, style: Style, materials: list[dict]) -> list[StyleMaterial]:
    """Replace a style's bill of materials: [{"material": m, "consumption_per_piece": d, "wastage_percent": d}]."""
    seen = set()
    for index, line in enumerate(materials):
        if line["material"].pk in seen:
            raise ValidationError({"materials": f"Line {index + 1}: {line['material'].code} is listed twice."})
        seen.add(line["material"].pk)
    Style.objects.select_for_update().filter(pk=style.pk).get()
    delete_with_history(style.materials.all())
    lines = [StyleMaterial(style=style, **line) for line in materials]
    for line in lines:
        line.full_clean(exclude=["style"], validate_unique=False)
    return bulk_create_audited(lines, StyleMaterial)


@transaction.atomic
def sample_request(*, style: Style, type: str, due_date=None, comments: str = "") -> Sample:
    """Request a new sample of a style; it starts as requested and belongs to the style's buyer."""
    sample = Sample(style=style, buyer_id=style.buyer_id, type=type, due_date=due_date, comments=comments)
    sample.number = next_number("samples_sample_number_seq", "S")
    sample.full_clean()
    sample.save()
    return sample


def sample_update(*, sample: Sample, data: dict) -> Sample:
    """Change a sample's type, due date or comments; status moves only through sample_transition."""
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
