"""Staff roles are auth groups; each business app grants its model permissions in a data migration."""

ROLES = ("merchandiser", "sales", "purchasing", "warehouse", "viewer")


def grant_permissions(apps, app_label: str, matrix: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """Give each role the listed actions on the app's models: {"merchandiser": {"buyer": ("view", "add")}}.

    For use inside a data migration (`apps` is the migration's app registry). Permissions are
    normally created after all migrations ran, so they are created here first.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # create_permissions skips configs without it
    create_permissions(app_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, models in matrix.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
        permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"Unknown permissions for {app_label}: {sorted(missing)}")
        group.permissions.add(*permissions)
