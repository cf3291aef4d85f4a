from rest_framework import serializers

from apps.core.writers import FORMATS


class ReportRangeSerializer(serializers.Serializer):
    """The date range of a dated report, both ends inclusive; snapshot reports ignore it."""

    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["date_from"] and attrs["date_to"] and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["Must be on or after date_from."]})
        return attrs


class ReportRunSerializer(ReportRangeSerializer):
    file_format = serializers.ChoiceField(choices=sorted(FORMATS), default="xlsx")


class ReportSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    dated = serializers.BooleanField()


class ReportRowsSerializer(ReportSerializer):
    """A report answered at once: its description, the range asked for and the rows, in column order."""

    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="One list per row, in `columns` order: text, numbers (decimals as strings) and dates.",
    )
