from django.core.validators import RegexValidator
from django.db import models

from apps.core.audit import AuditedHistory
from apps.core.models import TimeStampedModel
from apps.core.search import Search

from .choices import PaymentTerms
from .querysets import BuyerQuerySet

country_code = RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO 3166 country code, e.g. GB.")
currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code, e.g. USD.")
buyer_code = RegexValidator(r"^[A-Z0-9][A-Z0-9_-]*$", "Use capital letters, digits, '-' and '_'.")

# Ranked ?search= and admin search (apps.core.search): code by prefix, name, company and e-mail by words.
BUYER_SEARCH = Search(codes=("code",), names=("name",), words=("company",), emails=("email",))


class Buyer(TimeStampedModel):
    """A customer brand or retailer that places orders and approves samples."""

    code = models.CharField(max_length=20, unique=True, validators=[buyer_code])
    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200, blank=True, help_text="Legal company name, if not the trading name.")
    country = models.CharField(max_length=2, validators=[country_code])
    currency = models.CharField(max_length=3, validators=[currency_code])
    email = models.EmailField(blank=True)
    payment_terms = models.CharField(max_length=20, choices=PaymentTerms.choices, default=PaymentTerms.NET_60)
    is_active = models.BooleanField(default=True)

    objects = BuyerQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # The default list order, and the active-only view staff use most.
            models.Index(fields=["name", "id"], name="buyer_name_idx"),
            models.Index(fields=["is_active", "name", "id"], name="buyer_active_name_idx"),
            models.Index(fields=["country"], name="buyer_country_idx"),
            *BUYER_SEARCH.indexes("buyer"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z0-9][A-Z0-9_-]*$"), name="buyer_code_format"),
        ]

    def __str__(self):
        return f"{self.code} - {self.name}"
