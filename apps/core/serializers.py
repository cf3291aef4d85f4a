"""Serializer building blocks shared by the apps' APIs."""


class FixedOnUpdateMixin:
    """Fields named in `fixed_on_update` are writable on create and read-only afterwards:
    natural keys (a code) and owners (an order's buyer) never change once a row exists."""

    fixed_on_update: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name in self.fixed_on_update:
                fields[name].read_only = True
        return fields
