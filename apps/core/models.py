from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A member of staff; roles are groups (merchandiser, sales, purchasing, warehouse, viewer)."""


class TimeStampedModel(models.Model):
    """Abstract base that records when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True
