"""Viewset bases shared by the apps' APIs."""

from rest_framework import mixins, viewsets

from .cache import CachedListMixin


class CreateUpdateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, retrieve, create and update; never delete: rows are deactivated or cancelled instead."""


class CachedLookupViewSet(CachedListMixin, CreateUpdateViewSet):
    """A lookup list (buyers, materials...) whose JSON pages come from the view cache."""
