"""不接收短信 / 不接收邮件: an admin in scope records a person's opt-out of a channel, with the day,
or clears it (on the organization's contact and on a member). POST only; the pages show the buttons."""

from django.contrib import messages
from django.shortcuts import redirect

from liangxin.core.contact import Channel
from liangxin.core.params import BadParameter, parse_choice, parse_flag
from liangxin.orgs import services as org_services
from liangxin.party import services as party_services

from ..base import ScopedView, deny, get_in_scope
from .orgs import ChangeableOrganization

CHANNEL_NAMES = dict(Channel.choices)


def _wanted(request) -> tuple[str, bool]:
    channel = parse_choice(request.POST, "channel", "渠道", CHANNEL_NAMES)
    opted_out = parse_flag(request.POST, "opt_out", "不接收")
    if channel is None or opted_out is None:
        raise BadParameter("channel", "请说明渠道（短信或邮件）以及是否不接收")
    return channel, opted_out


def _said(request, channel: str, opted_out: bool, changed: bool) -> None:
    name = CHANNEL_NAMES[channel]
    if not changed:
        messages.info(request, f"未变化：已是{'不接收' if opted_out else '接收'}{name}")
    else:
        messages.success(request, f"已登记不接收{name}" if opted_out else f"已撤销“不接收{name}”")


class OrganizationOptOut(ChangeableOrganization):
    def get(self, request, pk):
        self._get(pk)
        return redirect("web:org_detail", pk=pk)

    def post(self, request, pk):
        org = self._get(pk)
        channel, opted_out = _wanted(request)
        _said(request, channel, opted_out, org_services.set_contact_opt_out(request.user, org, channel, opted_out))
        return redirect("web:org_detail", pk=pk)


class MemberOptOut(ScopedView):
    required = "can_read_party"

    def _get(self, pk):
        member = get_in_scope(self.scope.members("view"), pk=pk)
        if not self.scope.members("change").filter(pk=pk).exists():
            deny()
        return member

    def get(self, request, pk):
        self._get(pk)
        return redirect("web:member_detail", pk=pk)

    def post(self, request, pk):
        member = self._get(pk)
        channel, opted_out = _wanted(request)
        changed = party_services.set_member_opt_out(request.user, member, channel, opted_out)
        _said(request, channel, opted_out, changed)
        return redirect("web:member_detail", pk=pk)
