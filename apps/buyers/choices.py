from django.db import models


class PaymentTerms(models.TextChoices):
    ADVANCE = "advance", "Advance payment"
    LC_SIGHT = "lc_sight", "L/C at sight"
    LC_90 = "lc_90", "L/C 90 days"
    DP = "dp", "Documents against payment"
    NET_30 = "net_30", "Net 30 days"
    NET_60 = "net_60", "Net 60 days"
    NET_90 = "net_90", "Net 90 days"
