"""Background work of the import app, run by the django-tasks database worker
(``python manage.py db_worker``): no broker, the queue is a table, so a queued or running
job survives a restart of the server."""

from django.db import transaction
from django_tasks import task

from . import engine, exporting


@task()
def run_import_job(job_id: int) -> dict:
    job = engine.run_limited(job_id)  # a child process with time and memory limits
    return {"status": job.status, "created": job.created, "updated": job.updated, "rejected": job.rejected}


def start(job) -> None:
    """Queue the job for the worker."""
    run_import_job.enqueue(job.pk)


@task()
def run_export_job(job_id: int) -> dict:
    job = exporting.run_job(job_id)
    return {"status": job.status, "rows": job.rows_done}


def start_export(job) -> None:
    transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
