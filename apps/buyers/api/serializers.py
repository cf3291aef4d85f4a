from rest_framework import serializers

from apps.core.serializers import FixedOnUpdateMixin

from ..models import Buyer


class BuyerListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Buyer
        fields = ["id", "code", "name", "country", "currency", "payment_terms", "is_active"]


class BuyerSerializer(FixedOnUpdateMixin, serializers.ModelSerializer):
    fixed_on_update = ("code",)

    class Meta:
        model = Buyer
        fields = [
            "id", "code", "name", "company", "country", "currency", "email",
            "payment_terms", "is_active", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
