from rest_framework import serializers

from ..models import Buyer


class BuyerListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Buyer
        fields = ["id", "code", "name", "country", "currency", "payment_terms", "is_active"]


class BuyerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Buyer
        fields = [
            "id", "code", "name", "company", "country", "currency", "email",
            "payment_terms", "is_active", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # the natural key is fixed once created
            fields["code"].read_only = True
        return fields
