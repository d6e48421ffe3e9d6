"""Background work of the import app, run by the django-tasks database worker
(``python manage.py db_worker``): no broker, the queue is a table, so a queued or running
job survives a restart of the server. An entry point like a page: it builds the actor's scope
(as it is now) and hands it to the engine."""

from django_tasks import task

from liangxin.accounts.scoping import scope_for

from . import engine
from .models import ExportJob, ImportJob


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
    from . import exporting

    scope = scope_for(ExportJob.objects.select_related("actor").get(pk=job_id).actor)
    job = exporting.run_job(job_id, scope)
    return {"status": job.status, "rows": job.rows_done}


def start_export(job) -> None:
    from django.db import transaction

    transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
