from django.db import models

from apps.core.workflow import Workflow


class Category(models.TextChoices):
    TOPS = "tops", "Tops"
    SHIRTS = "shirts", "Shirts"
    BOTTOMS = "bottoms", "Bottoms"
    DRESSES = "dresses", "Dresses"
    OUTERWEAR = "outerwear", "Outerwear"
    KNITWEAR = "knitwear", "Knitwear"
    NIGHTWEAR = "nightwear", "Nightwear"
    ACCESSORIES = "accessories", "Accessories"


class SampleType(models.TextChoices):
    PROTO = "proto", "Proto"
    FIT = "fit", "Fit"
    SIZE_SET = "size_set", "Size set"
    PP = "pp", "Pre-production (PP)"
    TOP = "top", "Top of production (TOP)"


class SampleStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


SAMPLE_WORKFLOW = Workflow(
    {
        SampleStatus.REQUESTED: {SampleStatus.IN_PROGRESS},
        SampleStatus.IN_PROGRESS: {SampleStatus.SUBMITTED},
        SampleStatus.SUBMITTED: {SampleStatus.APPROVED, SampleStatus.REJECTED},
    },
    noun="sample",
)

# Decided by the buyer; the others are still open (and can be overdue).
DECIDED_STATUSES = (SampleStatus.APPROVED, SampleStatus.REJECTED)
OPEN_STATUSES = tuple(status for status in SampleStatus if status not in DECIDED_STATUSES)
