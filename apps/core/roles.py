"""Staff roles are auth groups; each business app grants its model permissions in a data migration."""

ROLES = ("merchandiser", "sales", "purchasing", "warehouse", "viewer", "staff_admin")

# Staff administration: every permission of the business apps (custom ones such as receiving
# included) and the view permissions that show everyone's jobs. Never users, groups or tokens:
# whoever may change those may make themselves superuser.
STAFF_ADMIN = "staff_admin"


def _create_permissions(apps, app_label: str) -> None:
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # create_permissions skips configs without it
    create_permissions(app_config, apps=apps, verbosity=0)


def grant_permissions(apps, app_label: str, matrix: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """Give each role the listed actions on the app's models: {"merchandiser": {"buyer": ("view", "add")}}.

    For use inside a data migration (`apps` is the migration's app registry). Permissions are
    normally created after all migrations ran, so they are created here first.
    """
    _create_permissions(apps, app_label)
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


def grant_all_permissions(apps, app_label: str, role: str) -> None:
    """Give the role every permission of the app's models, custom ones included (a data migration's helper).

    Never those of the audit trail's history models (simple-history's Historical*): only the app
    writes history, and reading it follows the tracked model's view permission.
    """
    _create_permissions(apps, app_label)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=role)
    permissions = Permission.objects.filter(content_type__app_label=app_label).exclude(
        content_type__model__startswith="historical"
    )
    group.permissions.add(*permissions)
