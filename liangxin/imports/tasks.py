"""Background work of the import app, run by the django-tasks database worker
(``python manage.py db_worker``): no broker, the queue is a table, so a queued or running
job survives a restart of the server. An entry point like a page: it builds the actor's scope
(as it is now) and hands it to the engine."""

from django.db import transaction
from django_tasks import task

from liangxin.accounts.scoping import scope_for
from liangxin.transfers import exports as transfer_exports

from . import engine, exporting
from . import exports as kind_exports
from .models import ExportJob, ImportJob

# list name → the domain function (scope, GET parameters) → ListExport, beside its list's filter;
# the page (web.base.list_export) and the worker build a list's export through the same entry
EXPORT_BUILDERS = {
    "organizations": kind_exports.organization_export,
    "members": kind_exports.member_export,
    "party_orgs": kind_exports.party_org_export,
    "regions": kind_exports.region_export,
    "carriers": kind_exports.carrier_export,
    "transfers": transfer_exports.transfer_export,
    "floating": transfer_exports.floating_export,
}


@task()
def run_import_job(job_id: int) -> dict:
    scope = scope_for(ImportJob.objects.select_related("actor").get(pk=job_id).actor)
    job = engine.run_limited(job_id, scope)  # a child process with time and memory limits
    return {"status": job.status, "created": job.created, "updated": job.updated, "rejected": job.rejected}


def start(job) -> None:
    """Queue the job for the worker."""
    run_import_job.enqueue(job.pk)


@task()
def run_export_job(job_id: int) -> dict:
    scope = scope_for(ExportJob.objects.select_related("actor").get(pk=job_id).actor)
    job = exporting.run_job(job_id, scope, EXPORT_BUILDERS[ExportJob.objects.get(pk=job_id).list_name])
    return {"status": job.status, "rows": job.rows_done}


def start_export(job) -> None:
    transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
