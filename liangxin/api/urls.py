from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import (
    assessment,
    assessment_rounds,
    circulars,
    develop,
    dues,
    duty_reports,
    exits,
    imports,
    inbox,
    info_reports,
    life,
    messaging,
    news,
    party,
    portal,
    qa,
    reporting,
    segments,
    stats,
    transfers,
    views,
)

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("carriers", views.CarrierViewSet, basename="carrier")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("party-organizations", views.PartyOrganizationViewSet, basename="party-organization")
router.register("members", views.MemberViewSet, basename="member")
router.register("imports", imports.ImportJobViewSet, basename="import-job")
router.register("inbox", inbox.NoticeViewSet, basename="notice")
for module in (life, develop, transfers, dues, exits, party, messaging, segments, circulars, reporting):
    module.register(router)
for module in (portal, news, info_reports, qa):  # 互动网: policies, news, 信息报送, 党建问答
    module.register(router)
assessment.register(router)  # 考核评估: 指标体系
assessment_rounds.register(router)  # 考核评估: 考核轮次
duty_reports.register(router)  # 书记抓党建述职

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
    # the split view serves Swagger UI's start script as a file (?script) rather than inline: CSP script-src 'self'
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="web/api_docs/swagger_ui.html"),
        name="api-docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="web/api_docs/redoc.html"),
        name="api-redoc",
    ),
    path("stats/coverage/", stats.CoverageView.as_view(), name="stats-coverage"),
    path("stats/blank-spots/", stats.BlankSpotsView.as_view(), name="stats-blank-spots"),
    path("stats/yearend/", stats.YearEndView.as_view(), name="stats-yearend"),
    path("stats/yearend.xlsx", stats.YearEndXlsxView.as_view(), name="stats-yearend-xlsx"),
    path("stats/yearend.pdf", stats.YearEndPdfView.as_view(), name="stats-yearend-pdf"),
    path("stats/reach/", stats.ReachView.as_view(), name="stats-reach"),
    path("stats/reach/never/", stats.NeverReachedView.as_view(), name="stats-reach-never"),
    path("", include(router.urls)),
]
