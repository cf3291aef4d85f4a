from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Django model permissions, reads included: listing buyers needs buyers.view_buyer.

    A workflow action names what it needs in the view's `action_permissions`, e.g.
    {"confirm": ["orders.change_order"]}; otherwise the HTTP method decides. A method the
    route does not offer at all (DELETE on buyers) is 405 for every signed-in user, not a 403
    that would suggest some role may do it.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def _queryset(self, view):
        # The model is all a permission check needs: a view's class-level `queryset` names it
        # without building the list's annotated queryset a second time.
        queryset = getattr(view, "queryset", None)
        return queryset if queryset is not None else super()._queryset(view)

    def has_permission(self, request, view):
        if getattr(view, "action_map", None) is not None and getattr(view, "action", None) is None:
            return bool(request.user and request.user.is_authenticated)  # the view answers 405
        required = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if required is None:
            return super().has_permission(request, view)
        return bool(request.user and request.user.is_authenticated and request.user.has_perms(required))
