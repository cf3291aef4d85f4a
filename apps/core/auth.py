"""Permission sets cached in Redis: every API request checks permissions, and ModelBackend
spends two queries (and a few milliseconds) building the set each time."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save


def _key(user_id) -> str:
    return f"perms:{user_id}"


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend whose answer to "which permissions does this user have" comes from the cache.

    Entries are dropped when a user's groups or permissions, a group's permissions, or the
    user row change; PERMISSION_CACHE_TTL bounds anything missed. Redis down: computed as usual.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = cache.get(_key(user_obj.pk))
            if permissions is None:
                permissions = super().get_all_permissions(user_obj)
                cache.set(_key(user_obj.pk), permissions, timeout=settings.PERMISSION_CACHE_TTL)
            user_obj._perm_cache = permissions
        return user_obj._perm_cache


def _forget_user(sender, instance, **kwargs):
    cache.delete(_key(instance.pk))


def _forget_everyone(sender, **kwargs):
    cache.delete_pattern(_key("*"))


def _user_links_changed(sender, instance, **kwargs):
    # user.groups.add(...) (instance: a user) or group.user_set.add(...) (instance: a group)
    if isinstance(instance, get_user_model()):
        _forget_user(sender, instance)
    else:
        _forget_everyone(sender)


User = get_user_model()
post_save.connect(_forget_user, sender=User, dispatch_uid="core.auth.user_saved")
post_delete.connect(_forget_user, sender=User, dispatch_uid="core.auth.user_deleted")
m2m_changed.connect(_user_links_changed, sender=User.groups.through, dispatch_uid="core.auth.user_groups")
m2m_changed.connect(_user_links_changed, sender=User.user_permissions.through, dispatch_uid="core.auth.user_perms")
m2m_changed.connect(_forget_everyone, sender=Group.permissions.through, dispatch_uid="core.auth.group_perms")
for model in (Group, Permission):
    post_save.connect(_forget_everyone, sender=model, dispatch_uid=f"core.auth.{model.__name__}_saved")
    post_delete.connect(_forget_everyone, sender=model, dispatch_uid=f"core.auth.{model.__name__}_deleted")
