from apps.core.viewsets import CachedLookupViewSet

from .. import services
from ..models import BUYER_SEARCH, Buyer
from .filters import BuyerFilterSet
from .serializers import BuyerListSerializer, BuyerSerializer


class BuyerViewSet(CachedLookupViewSet):
    """Buyers: list, search (?search=), filter, order (?ordering=name), create and update.

    Buyers are never deleted through the API; deactivate them instead (is_active=false).
    """

    cache_name = "buyers"
    cache_depends_on = (Buyer,)

    queryset = Buyer.objects.for_list()
    filterset_class = BuyerFilterSet
    search = BUYER_SEARCH
    ordering_fields = ["code", "name", "country", "created_at", "updated_at"]
    ordering = ["name", "id"]

    def get_serializer_class(self):
        return BuyerListSerializer if self.action == "list" else BuyerSerializer

    def perform_create(self, serializer):
        serializer.instance = services.buyer_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.buyer_update(buyer=serializer.instance, data=serializer.validated_data)
