from django.db import models


class BuyerQuerySet(models.QuerySet):
    def active(self):
        """Buyers that can take new orders and samples."""
        return self.filter(is_active=True)

    def for_list(self):
        """What list screens show: buyers have no relations to join yet."""
        return self.all()
