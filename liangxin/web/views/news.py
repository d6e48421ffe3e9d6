"""互动网 pages — the portal's landing page, 工作动态 and 通知公告: the lists (published items the
user reads), an item's page with its review steps, the write/edit form, and the 稿件 page where
writers follow their items and reviewers find what waits for them. Rules and changes live in
``liangxin.portal.news``; who reads, writes and reviews what is ``Scope.news_items`` and its kin."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import mark_safe

from liangxin.core import attachments, files
from liangxin.core.models import AuditEntry
from liangxin.portal import news, queries
from liangxin.portal.models import NewsCategory, NewsItem, NewsStatus

from ..base import ScopedView, StepView, deny, get_in_scope, paginate, refused
from ..forms import errors_to_form

PER_PAGE = 20
LATEST = 6


class MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: handed on as they came (``core.attachments`` checks each by content)."""

    widget = MultipleFiles

    def clean(self, data, initial=None):
        return [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]


class NewsForm(forms.Form):
    """The shape of the form only: every rule is ``portal.news.clean_news``'s."""

    node = forms.TypedChoiceField(
        label="发布单位", coerce=int, error_messages={"invalid_choice": "发布单位：只能以您任职的单位撰写"}
    )
    category = forms.ChoiceField(label="栏目", required=False, choices=[("", "请选择")] + NewsCategory.choices)
    title = forms.CharField(label="标题", required=False, widget=forms.TextInput(attrs={"size": 60}))
    body = forms.CharField(
        label="正文", required=False, widget=forms.Textarea(attrs={"rows": 14, "cols": 60}),
        help_text="空一行为新段落；可用加粗、列表和链接，其余格式发布时去除",
    )  # fmt: skip
    pinned = forms.BooleanField(label="置顶", required=False, help_text="置顶的信息排在列表最前")
    to_everyone = forms.BooleanField(
        label="所有用户可见", required=False, help_text="不勾选时，仅发布单位及其下级单位的用户可见"
    )
    cover = forms.FileField(label="题图", required=False, help_text="照片（.jpg、.jpeg、.png），可不上传")
    attachments = MultipleFileField(
        label="附件", required=False,
        help_text=f"可选多个（{attachments.DOCUMENT_ALLOWED_TEXT}），每条最多 {news.MAX_FILES} 个；按文件内容检查类型",
    )  # fmt: skip
    REQUIRED = ("node", "category", "title", "body")

    def __init__(self, *args, nodes, item: NewsItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.pk, n.name) for n in nodes]
        for name in self.REQUIRED:
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = f"{news.LABELS.get(name, '发布单位')}：必填"
        if item is not None:
            del self.fields["node"]  # an item stays where it was written
            if item.files.filter(is_cover=True).exists():
                self.fields["cover"].help_text += "；上传新题图将替换现有题图"


def _body(item) -> str:
    return mark_safe(item.body)  # noqa: S308 — sanitised on save (core.richtext.clean_html)


class PortalHome(ScopedView):
    """互动网首页: the latest 工作动态 and 通知公告 the user reads (pinned first), the policy
    library's search and newest documents, and for writers and reviewers what waits for them."""

    def get(self, request):
        published = self.scope.published_news()
        context = {
            "news": queries.filtered_news(published, {"category": NewsCategory.NEWS})[:LATEST],
            "notices": queries.filtered_news(published, {"category": NewsCategory.NOTICE})[:LATEST],
            "policies": queries.filtered_policies(self.scope.policy_documents(), {})[:LATEST],
            "to_review": self.scope.news_to_review().count(),
            "reports_to_review": self.scope.reports_to_review().filter(status="pending").count(),
        }
        return render(request, "web/portal/home.html", context)


class NewsList(ScopedView):
    """工作动态 / 通知公告 (``category``), ``q`` finds a word in the title or text."""

    def get(self, request):
        items = queries.filtered_news(self.scope.published_news(), request.GET)
        page, query = paginate(request, items, PER_PAGE)
        category = request.GET.get("category", "")
        title = dict(NewsCategory.choices).get(category, "工作动态与通知公告")
        context = {"g": request.GET, "page": page, "query": query, "title": title, "categories": NewsCategory.choices}
        return render(request, "web/portal/news_list.html", context)


class NewsDrafts(ScopedView):
    """稿件: the items of the user's own nodes not published yet, and those waiting for the user's review."""

    required = "can_write_news"

    def get(self, request):
        page, query = paginate(request, queries.waiting_news(self.scope.news_drafts()), PER_PAGE)
        context = {"page": page, "query": query, "to_review": self.scope.news_to_review().order_by("created_at")}
        return render(request, "web/portal/news_drafts.html", context)


class NewsDetail(ScopedView):
    def get(self, request, pk):
        item = get_in_scope(self.scope.news_items(), pk=pk)
        can_edit = self.scope.may_change_news(item)
        context = {
            "item": item, "body": _body(item), "can_edit": can_edit and item.status in news.EDITABLE_STATES,
            "can_delete": can_edit and item.status in news.DELETABLE_STATES,
            "can_withdraw": item.status == NewsStatus.PUBLISHED and self.scope.may_withdraw_news(item),
            "resubmits": self.scope.news_edit_resubmits(item),
            "may_review": item.status == NewsStatus.PENDING and self.scope.may_review_news(item),
            "cover": item.files.filter(is_cover=True).first(), "files": item.files.filter(is_cover=False),
            "source": item.source_report if item.source_report_id and self.scope.info_reports().filter(
                pk=item.source_report_id).exists() else None,
        }  # fmt: skip
        if can_edit:
            context["managed"] = True
            context["history"] = AuditEntry.objects.filter(object_type="portal.newsitem", object_id=str(item.pk))[:50]
        return render(request, "web/portal/news_detail.html", context)


class NewsFileDownload(ScopedView):
    """An item's cover or attachment: the item must be in the reader's scope."""

    def get(self, request, pk, file_pk):
        item = get_in_scope(self.scope.news_items(), pk=pk)
        found = item.files.filter(pk=file_pk).first()
        if found is None:
            raise Http404("附件不存在")
        return files.download(news.file_path(found), found.name, found.content_type)


class NewsCreate(ScopedView):
    required = "can_write_news"

    def get(self, request):
        form = NewsForm(nodes=self.scope.news_write_nodes(), initial={"category": request.GET.get("category", "")})
        return self._render(request, form)

    def post(self, request):
        nodes = self.scope.news_write_nodes()
        form = NewsForm(request.POST, request.FILES, nodes=nodes)
        if form.is_valid():
            node = nodes.filter(pk=form.cleaned_data["node"]).first()
            try:
                item = news.write(
                    request.user, node, form.cleaned_data, cover=form.cleaned_data.get("cover"),
                    files=request.FILES.getlist("attachments"),
                )  # fmt: skip
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                if item.status == NewsStatus.PUBLISHED:
                    messages.success(request, f"已发布「{item.title}」")
                else:
                    messages.success(request, f"已提交{item.review_node.name}审核，通过后发布")
                return redirect("web:news_detail", pk=item.pk)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(request, "web/portal/news_form.html", {"form": form, "item": None}, status=status)


class NewsEdit(ScopedView):
    required = "can_write_news"

    def _item(self, pk) -> NewsItem:
        item = get_in_scope(self.scope.news_items(), pk=pk)
        if not self.scope.may_change_news(item):
            deny("该信息由其他单位撰写，您只能查看")
        return item

    def get(self, request, pk):
        item = self._item(pk)
        try:
            news.check_editable(item)
        except ValidationError as error:
            refused(request, error)
            return redirect("web:news_detail", pk=item.pk)
        form = NewsForm(initial={name: getattr(item, name) for name in news.EDITABLE}, nodes=[], item=item)
        return self._render(request, item, form)

    def post(self, request, pk):
        item = self._item(pk)
        form = NewsForm(request.POST, request.FILES, nodes=[], item=item)
        was = item.status
        if form.is_valid():
            remove = [int(v) for v in request.POST.getlist("remove") if v.isdecimal()]
            resubmit = self.scope.news_edit_resubmits(item)
            try:
                news.edit(
                    request.user, item, form.cleaned_data, resubmit=resubmit, cover=form.cleaned_data.get("cover"),
                    files=request.FILES.getlist("attachments"), remove=remove,
                )  # fmt: skip
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _saved(item, was))
                return redirect("web:news_detail", pk=item.pk)
        return self._render(request, item, form, status=400)

    def _render(self, request, item, form, status=200):
        context = {"form": form, "item": item, "files": item.files.all()}
        return render(request, "web/portal/news_form.html", context, status=status)


def _saved(item: NewsItem, was: str) -> str:
    if item.status == NewsStatus.PENDING:
        return f"已保存，等待{item.review_node.name}审核"
    return "已保存并重新发布" if item.status == NewsStatus.PUBLISHED and was != item.status else "已保存"


class NewsDelete(NewsEdit):
    def get(self, request, pk):
        return redirect("web:news_detail", pk=self._item(pk).pk)

    def post(self, request, pk):
        item = self._item(pk)
        title = item.title
        try:
            news.delete(request.user, item)
        except ValidationError as error:
            refused(request, error)
            return redirect("web:news_detail", pk=item.pk)
        messages.success(request, f"已删除「{title}」")
        return redirect("web:portal_home")


class NewsReview(StepView):
    """审核通过 / 退回 (with a reason): the administrators of the committee the item waits for;
    撤下 (with a reason) a published item: its writers and the committees above it."""

    MAY = {"approve": "may_review_news", "return": "may_review_news", "withdraw": "may_withdraw_news"}
    detail = "web:news_detail"

    def objects(self):
        return self.scope.news_items()

    def perform(self, request, item) -> str:
        if self.action == "approve":
            news.approve(request.user, item)
            return "已审核通过，信息已发布"
        if self.action == "withdraw":
            news.withdraw(request.user, item, request.POST.get("reason", ""))
            return "已撤下，读者不再看到该信息；修改后可重新发布"
        news.return_item(request.user, item, request.POST.get("reason", ""))
        return "已退回"


urlpatterns = [
    path("portal/", PortalHome.as_view(), name="portal_home"),
    path("portal/news/", NewsList.as_view(), name="news_list"),
    path("portal/news/drafts/", NewsDrafts.as_view(), name="news_drafts"),
    path("portal/news/new/", NewsCreate.as_view(), name="news_create"),
    path("portal/news/<int:pk>/", NewsDetail.as_view(), name="news_detail"),
    path("portal/news/<int:pk>/edit/", NewsEdit.as_view(), name="news_edit"),
    path("portal/news/<int:pk>/delete/", NewsDelete.as_view(), name="news_delete"),
    path("portal/news/<int:pk>/approve/", NewsReview.as_view(action="approve"), name="news_approve"),
    path("portal/news/<int:pk>/return/", NewsReview.as_view(action="return"), name="news_return"),
    path("portal/news/<int:pk>/withdraw/", NewsReview.as_view(action="withdraw"), name="news_withdraw"),
    path("portal/news/<int:pk>/files/<int:file_pk>/", NewsFileDownload.as_view(), name="news_file"),
]
