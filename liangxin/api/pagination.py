"""Keyset pagination for the API (``?cursor=``), the same as the pages use."""

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from liangxin.core.pagination import keyset_page


class KeysetPagination(BasePagination):
    page_size = 50
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        key, descending = getattr(view, "keyset_order", lambda: ("id", False))()
        try:
            size = min(int(request.query_params.get("page_size", self.page_size)), self.max_page_size)
        except ValueError:
            size = self.page_size
        self.request = request
        self.page = keyset_page(queryset, key, descending, request.query_params.get("cursor"), max(size, 1))
        return self.page.rows

    def _link(self, cursor):
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, "cursor", cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.prev_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "翻页游标（取自 next/previous）",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": "每页条数（最多500）",
                "schema": {"type": "integer"},
            },
        ]
