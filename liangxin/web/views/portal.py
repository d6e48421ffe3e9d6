"""互动网 pages — 政策文件库: the list with its full-text search (ranked, words marked), a document's
page with its attachment, and the publish/edit form for committee administrators. Rules, search
and changes live in ``liangxin.portal``; who reads and publishes what is ``Scope.policy_documents``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from liangxin.core import attachments, files
from liangxin.core.models import AuditEntry
from liangxin.portal import policies, queries
from liangxin.portal.models import PolicyCategory, PolicyDocument

from ..base import ScopedView, deny, get_in_scope, paginate
from ..forms import DATE, errors_to_form

PER_PAGE = 20


class PolicyForm(forms.Form):
    """The shape of the form only: every rule is ``portal.policies.clean_policy``'s."""

    node = forms.TypedChoiceField(
        label="发布单位", coerce=int, error_messages={"invalid_choice": "发布单位：只能以您任职的单位发布"}
    )
    title = forms.CharField(label="标题", required=False, widget=forms.TextInput(attrs={"size": 60}))
    number = forms.CharField(label="文号", required=False, help_text="如：沪社工委〔2025〕1号")
    issuer = forms.CharField(label="发文机关", required=False)
    issued_on = forms.CharField(label="发文日期", required=False, widget=DATE)
    category = forms.ChoiceField(label="类别", required=False, choices=[("", "请选择")] + PolicyCategory.choices)
    body = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 16, "cols": 60}))
    to_everyone = forms.BooleanField(
        label="所有用户可见", required=False, help_text="不勾选时，仅发布单位及其下级单位的用户可见"
    )
    attachment = forms.FileField(
        label="附件", required=False,
        help_text=f"原件（{attachments.DOCUMENT_ALLOWED_TEXT}），不超过 {attachments.max_bytes() // (1024 * 1024)} MB",
    )  # fmt: skip
    remove_attachment = forms.BooleanField(label="删除现有附件", required=False)
    REQUIRED = ("node", "title", "issuer", "issued_on", "category", "body")

    def __init__(self, *args, nodes, document: PolicyDocument | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.pk, n.name) for n in nodes]
        for name in self.REQUIRED:
            # the red star, and a blank answered as the service answers it (the service checks again)
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = f"{policies.LABELS.get(name, '发布单位')}：必填"
        if document is None or not hasattr(document, "attachment"):
            del self.fields["remove_attachment"]
        else:
            self.fields["attachment"].help_text += "；上传新文件将替换现有附件「" + document.attachment.name + "」"
        if document is not None:
            del self.fields["node"]  # a document stays where it was published


class PolicyList(ScopedView):
    """政策文件库: every signed-in user reads what their scope reaches; ``q`` searches the full text."""

    def get(self, request):
        visible = self.scope.policy_documents()
        found = queries.searched_policies(visible, request.GET)
        items = found if found is not None else queries.filtered_policies(visible, request.GET)
        page, query = paginate(request, items, PER_PAGE)
        context = {
            "g": request.GET, "page": page, "query": query, "searching": found is not None,
            "categories": PolicyCategory.choices, "years": queries.years(visible),
        }  # fmt: skip
        return render(request, "web/portal/policy_list.html", context)


class PolicyDetail(ScopedView):
    def get(self, request, pk):
        doc = get_in_scope(self.scope.policy_documents(), pk=pk)
        context = {
            "doc": doc,
            "file": getattr(doc, "attachment", None),
            "can_edit": self.scope.policy_documents("change").filter(pk=doc.pk).exists(),
        }
        if context["can_edit"]:
            context["history"] = AuditEntry.objects.filter(object_type="portal.policydocument", object_id=str(doc.pk))[
                :50
            ]
        return render(request, "web/portal/policy_detail.html", context)


class PolicyAttachmentDownload(ScopedView):
    """The only way to a document's file: the document must be in the reader's scope."""

    def get(self, request, pk):
        doc = get_in_scope(self.scope.policy_documents(), pk=pk)
        found = getattr(doc, "attachment", None)
        if found is None:
            raise Http404("附件不存在")
        return files.download(policies.attachment_path(found), found.name, found.content_type)


class PolicyCreate(ScopedView):
    required = "can_publish_policies"

    def get(self, request):
        form = PolicyForm(nodes=self.scope.policy_publish_nodes(), initial={"to_everyone": False})
        return self._render(request, form)

    def post(self, request):
        nodes = self.scope.policy_publish_nodes()
        form = PolicyForm(request.POST, request.FILES, nodes=nodes)
        if form.is_valid():
            node = nodes.filter(pk=form.cleaned_data["node"]).first()
            try:
                doc = policies.publish(
                    request.user, node, form.cleaned_data, attachment=form.cleaned_data.get("attachment")
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"已发布政策文件「{doc.title}」")
                return redirect("web:policy_doc_detail", pk=doc.pk)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(request, "web/portal/policy_form.html", {"form": form, "doc": None}, status=status)


class PolicyEdit(ScopedView):
    required = "can_publish_policies"

    def _document(self, pk) -> PolicyDocument:
        doc = get_in_scope(self.scope.policy_documents(), pk=pk)
        if not self.scope.policy_documents("change").filter(pk=doc.pk).exists():
            deny("该政策文件由其他单位发布，您只能查看")
        return doc

    def get(self, request, pk):
        doc = self._document(pk)
        initial = {name: getattr(doc, name) for name in policies.EDITABLE}
        initial["issued_on"] = doc.issued_on.isoformat()
        form = PolicyForm(initial=initial, nodes=[], document=doc)
        return render(request, "web/portal/policy_form.html", {"form": form, "doc": doc})

    def post(self, request, pk):
        doc = self._document(pk)
        form = PolicyForm(request.POST, request.FILES, nodes=[], document=doc)
        if form.is_valid():
            data = form.cleaned_data
            try:
                policies.edit(
                    request.user, doc, data, attachment=data.get("attachment"),
                    remove_attachment=bool(data.get("remove_attachment")),
                )  # fmt: skip
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "已保存")
                return redirect("web:policy_doc_detail", pk=doc.pk)
        return render(request, "web/portal/policy_form.html", {"form": form, "doc": doc}, status=400)


class PolicyDelete(PolicyEdit):
    def get(self, request, pk):
        return redirect("web:policy_doc_detail", pk=self._document(pk).pk)

    def post(self, request, pk):
        doc = self._document(pk)
        title = doc.title
        policies.delete(request.user, doc)
        messages.success(request, f"已删除政策文件「{title}」")
        return redirect("web:policy_doc_list")


urlpatterns = [
    path("portal/policies/", PolicyList.as_view(), name="policy_doc_list"),
    path("portal/policies/new/", PolicyCreate.as_view(), name="policy_doc_create"),
    path("portal/policies/<int:pk>/", PolicyDetail.as_view(), name="policy_doc_detail"),
    path("portal/policies/<int:pk>/edit/", PolicyEdit.as_view(), name="policy_doc_edit"),
    path("portal/policies/<int:pk>/delete/", PolicyDelete.as_view(), name="policy_doc_delete"),
    path("portal/policies/<int:pk>/attachment/", PolicyAttachmentDownload.as_view(), name="policy_doc_attachment"),
]
