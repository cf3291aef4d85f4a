from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .adminkit import ReadOnlyAdminMixin
from .models import IdempotencyKey, User
from .pagination import EstimatedCountPaginator


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_filter = ["is_staff", "is_active", "groups"]
    show_full_result_count = False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: stored answers to retried writes, for support staff."""

    list_display = ["scope", "key", "user", "status_code", "created_at"]
    list_select_related = ["user"]
    list_filter = ["status_code", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["scope", "key"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
