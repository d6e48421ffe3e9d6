"""Background work of the import app, run by the django-tasks database worker
(``python manage.py db_worker``): no broker, the queue is a table, so a queued or running
job survives a restart of the server."""

from django_tasks import task

from . import engine


@task()
def run_import_job(job_id: int) -> dict:
    job = engine.run(job_id)
    return {"status": job.status, "created": job.created, "updated": job.updated, "rejected": job.rejected}


def start(job) -> None:
    """Queue the job for the worker."""
    run_import_job.enqueue(job.pk)
