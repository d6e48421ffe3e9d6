from django.urls import path

from .views import accounts, audit, auth, home, orgs, party, trees

app_name = "web"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("me/", auth.ProfileView.as_view(), name="profile"),
    path("", home.HomeView.as_view(), name="home"),
    path("orgs/", orgs.OrganizationList.as_view(), name="org_list"),
    path("orgs/export.xlsx", orgs.OrganizationExport.as_view(), name="org_export"),
    path("orgs/new/", orgs.OrganizationCreate.as_view(), name="org_create"),
    path("orgs/carrier-options/", orgs.CarrierOptions.as_view(), name="org_carrier_options"),
    path("orgs/<int:pk>/", orgs.OrganizationDetail.as_view(), name="org_detail"),
    path("orgs/<int:pk>/edit/", orgs.OrganizationEdit.as_view(), name="org_edit"),
    path("orgs/<int:pk>/deactivate/", orgs.OrganizationDeactivate.as_view(), name="org_deactivate"),
    path("orgs/<int:pk>/restore/", orgs.OrganizationRestore.as_view(), name="org_restore"),
    path("regions/", trees.RegionList.as_view(), name="region_list"),
    path("regions/new/", trees.RegionEdit.as_view(), name="region_create"),
    path("regions/<int:pk>/edit/", trees.RegionEdit.as_view(), name="region_edit"),
    path("carriers/", trees.CarrierList.as_view(), name="carrier_list"),
    path("carriers/new/", trees.CarrierEdit.as_view(), name="carrier_create"),
    path("carriers/<int:pk>/edit/", trees.CarrierEdit.as_view(), name="carrier_edit"),
    path("nodes/", trees.NodeList.as_view(), name="node_list"),
    path("nodes/new/", trees.NodeEdit.as_view(), name="node_create"),
    path("nodes/<int:pk>/edit/", trees.NodeEdit.as_view(), name="node_edit"),
    path("accounts/", accounts.AccountList.as_view(), name="account_list"),
    path("accounts/new/", accounts.AccountEdit.as_view(), name="account_create"),
    path("accounts/<int:pk>/", accounts.AccountEdit.as_view(), name="account_edit"),
    path("audit/", audit.AuditList.as_view(), name="audit_list"),
    path("party/", party.PartyOrgList.as_view(), name="party_list"),
    path("party/new/", party.PartyOrgEdit.as_view(), name="party_create"),
    path("party/<int:pk>/", party.PartyOrgDetail.as_view(), name="party_detail"),
    path("party/<int:pk>/edit/", party.PartyOrgEdit.as_view(), name="party_edit"),
    path("members/", party.MemberList.as_view(), name="member_list"),
    path("members/new/", party.MemberEdit.as_view(), name="member_create"),
    path("members/<int:pk>/", party.MemberDetail.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", party.MemberEdit.as_view(), name="member_edit"),
    path("findings/", party.FindingList.as_view(), name="finding_list"),
    path("findings/export.xlsx", party.FindingExport.as_view(), name="finding_export"),
    path("policy/", party.PolicyPage.as_view(), name="policy"),
]
