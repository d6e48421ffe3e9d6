"""API errors in Chinese, in one shape: ``{"detail": ..., "errors": {field: [messages]}}``."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from liangxin.core.params import BadParameter

MESSAGES = {
    exceptions.NotAuthenticated: "未登录或令牌无效",
    exceptions.AuthenticationFailed: "身份认证失败：令牌无效或账号已停用",
    exceptions.PermissionDenied: "无权执行此操作",
    exceptions.NotFound: "对象不存在",
    exceptions.MethodNotAllowed: "不支持该请求方法",
    exceptions.Throttled: "请求过于频繁，请稍后再试",
    exceptions.ParseError: "请求内容无法解析",
    exceptions.UnsupportedMediaType: "不支持的内容类型",
}


class Conflict(exceptions.APIException):
    """409: the object is in a state where the request cannot be met (no letter for a transfer
    awaiting review, no card for a member who is not floating); the detail says why, in Chinese."""

    status_code = 409
    default_detail = "对象当前状态不允许该操作"
    said_in_chinese = True


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's refusal (Django ``ValidationError``) as the API's 400, per field or ``non_field_errors``."""
    try:
        yield
    except DjangoValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise exceptions.ValidationError(errors) from None


def cleaned(clean, value):
    """``value`` through one of the pages' field cleaners, its refusal as the serializer field's messages."""
    try:
        return clean(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


def exception_handler(exc, context):
    if isinstance(exc, BadParameter):  # a query parameter: the same body as a form error, its own headline
        response = drf_exception_handler(exceptions.ValidationError({exc.name: [exc.reason]}), context)
        response.data = {"detail": "查询条件有误", "errors": {exc.name: [exc.reason]}}
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": "提交的数据有误", "errors": data}
    elif getattr(exc, "said_in_chinese", False):  # a domain refusal that already says why, in Chinese
        response.data = {"detail": str(exc.detail)}
    else:
        for cls, message in MESSAGES.items():
            if isinstance(exc, cls):
                response.data = {"detail": message}
                break
    return response
