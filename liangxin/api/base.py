"""The one base of every API view: the caller's scope, built once per request.

``initial`` (DRF's hook that runs after authentication, before the handler) asks
``accounts.scoping.scope_for`` once and keeps the answer on ``self.scope``; every queryset,
capability check and serializer of the request starts from it, like the pages' ``ScopedView``.
A view names the capability it needs (``required``, a Scope property; None: any signed-in
user) or widens ``allowed``. Outside scope answers 404 like a missing object (the querysets
are the scope's); visible but not changeable answers 403.

Variants: ``ScopedAPIView`` (a plain view: statistics), ``ScopedViewSet`` (generic viewset over a
scope queryset) and ``EditableScopedViewSet`` (list, read, create, update).
"""

import io

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from liangxin.accounts.scoping import Scope, scope_for
from liangxin.core import word
from liangxin.party.models import Member

NOT_FOUND = "不存在或不在您的管辖范围内"
# a filled Word form (介绍信, 流动党员活动证), or 409 with the Chinese reason why the record has none
WORD_RESPONSES = {(200, word.DOCX_CONTENT_TYPE): OpenApiTypes.BINARY, 409: OpenApiTypes.OBJECT}


def word_file(name: str, data: bytes) -> FileResponse:
    """A filled Word form as a download (a Chinese ``name`` goes out as RFC 5987 ``filename*``)."""
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name, content_type=word.DOCX_CONTENT_TYPE)


class ScopedMixin:
    """Builds ``self.scope`` once in ``initial`` and refuses (403) a caller without ``required``."""

    required: str | None = "can_read_registry"
    scope: Scope

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # authentication first
        self.scope = scope_for(request.user)
        if not self.allowed(self.scope):
            raise PermissionDenied

    def allowed(self, scope: Scope) -> bool:
        """Whether the caller may use this view at all (objects are then limited by the scope)."""
        return self.required is None or bool(getattr(scope, self.required))


class ScopedAPIView(ScopedMixin, APIView):
    """A plain API view (no model behind it) over the caller's scope."""


class ScopedViewSet(ScopedMixin, viewsets.GenericViewSet):
    """Base API viewset: the queryset is the scope's, so outside scope is 404 like missing."""

    scope_method = ""

    def get_queryset(self):
        return getattr(self.scope, self.scope_method)("view")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": getattr(self, "scope", None)}

    def keyset_order(self):
        return ("id", False)

    def body(self, serializer_class, partial: bool = False) -> dict:
        """The request body as ``serializer_class`` reads it (400 with each field's messages if it can't).
        ``partial`` (a PATCH): a field not sent is absent, never its empty value (a multipart form
        would otherwise read a missing check box as false)."""
        incoming = serializer_class(data=self.request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        return incoming.validated_data

    def body_member(self, pk) -> Member:
        """The member a request body names: one the caller sees, else 400 on ``member`` (not 404: it is input)."""
        member = self.scope.members("view").filter(pk=pk or 0).first()
        if member is None:
            raise ValidationError({"member": [f"党员{NOT_FOUND}"]})
        return member


class EditableScopedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """List, read, create and update. ``create_capability`` gates creating; changing an object
    needs it in the scope's "change" queryset (visible but not changeable → 403)."""

    create_capability = ""

    def create(self, request, *args, **kwargs):
        if not getattr(self.scope, self.create_capability):
            raise PermissionDenied  # before validation, so a reader learns nothing from error bodies
        return super().create(request, *args, **kwargs)

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            if not getattr(self.scope, self.scope_method)("change").filter(pk=obj.pk).exists():
                raise PermissionDenied
        return obj
