"""Issue 12 §3: stored files that can hold personal data are encrypted with the field keys,
written 0600, decrypted on the fly for the user who may have them, and pruned after retention."""

import datetime
import os
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from liangxin.core import files
from liangxin.imports import engine
from liangxin.imports.models import ExportJob, ImportJob
from liangxin.life import attachments

from .conftest import client_for
from .ledgers import write_csv
from .test_imports import MEMBER_HEADER, run
from .test_life_services import PNG

pytestmark = pytest.mark.django_db
NUMBER = "110101199003074514"


def _mode(path) -> int:
    return os.stat(path).st_mode & 0o777


def test_an_import_upload_is_stored_encrypted_0600_and_still_imports(party_cast, tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"  # its own working folder (other test processes share var/)
    c = party_cast
    rows = [MEMBER_HEADER, ["李四", NUMBER, c.branch.node.name, "正式党员", "2015-07-01", "2016-07-01", "", "", "",
                            "", ""]]  # fmt: skip
    job = run(c.street_admin, "members", write_csv(tmp_path / "m.csv", rows))
    assert job.created == 1
    stored = open(job.stored_path, "rb").read()
    assert NUMBER.encode() not in stored and "李四".encode() not in stored and stored.startswith(files.MAGIC)
    assert _mode(job.stored_path) == 0o600
    assert not list(files.private_dir().iterdir())  # the decrypted working copy is gone


def test_a_background_export_is_encrypted_and_downloads_decrypted(cast, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EXPORT_SYNC_MAX_ROWS = 1
    client = client_for(cast.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("web:org_export") + "?format=csv&sort=name")
    job = ExportJob.objects.get()
    on_disk = open(job.file_path, "rb").read()
    assert "上海嘉信信息科技有限公司".encode() not in on_disk and on_disk.startswith(files.MAGIC)
    assert _mode(job.file_path) == 0o600
    download = client.get(reverse("web:export_download", args=[job.pk]))
    assert "上海嘉信信息科技有限公司" in b"".join(download.streaming_content).decode("utf-8-sig")
    assert response.status_code == 302
    assert not list(files.private_dir().iterdir())


def test_a_meeting_attachment_is_encrypted_and_downloads_decrypted(party_cast):
    from liangxin.life import services

    from .test_life_pages import held_meeting

    c = party_cast
    meeting = held_meeting(c)
    (photo,) = services.add_attachments(c.secretary, meeting, [SimpleUploadedFile("合影.png", PNG)])
    path = attachments.path_of(photo.stored_name)
    assert open(path, "rb").read().startswith(files.MAGIC) and _mode(path) == 0o600
    download = client_for(c.secretary).get(f"/life/files/{photo.pk}/")
    assert b"".join(download.streaming_content) == PNG


def test_stored_files_detect_tampering_reordering_and_truncation(tmp_path):
    path = tmp_path / "f"
    data = os.urandom(files.CHUNK * 2 + 10)
    files.write_chunks(path, [data])
    assert b"".join(files.iter_plain(path)) == data
    raw = path.read_bytes()
    path.write_bytes(raw[:-40])
    with pytest.raises(files.DamagedFile):
        b"".join(files.iter_plain(path))
    first = len(files.MAGIC)
    size = int.from_bytes(raw[first : first + 4], "big")
    path.write_bytes(raw[: first + 4 + size])  # only the first chunk: the end is missing
    with pytest.raises(files.DamagedFile):
        b"".join(files.iter_plain(path))


def test_encrypting_a_large_file_streams_within_memory(tmp_path):
    block = "310101199001011234,张三,上海嘉信信息科技有限公司\n".encode() * 1000
    tracemalloc.start()
    with files.EncryptedWriter(tmp_path / "big") as out:
        for _ in range(1000):  # ~60 MB, the size of a 1M-row member export
            out.write(block)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak
    total = sum(len(chunk) for chunk in files.iter_plain(tmp_path / "big"))
    assert total == len(block) * 1000


def test_prune_files_removes_old_exports_and_uploads_but_not_live_ones(party_cast, tmp_path, settings):
    c = party_cast
    rows = [MEMBER_HEADER, ["李四", NUMBER, c.branch.node.name, "正式党员", "2015-07-01", "2016-07-01", "", "", "",
                            "", ""]]  # fmt: skip
    old = run(c.street_admin, "members", write_csv(tmp_path / "a.csv", rows))
    kept = run(c.street_admin, "members", write_csv(tmp_path / "b.csv", rows[:1] + [rows[1][:1] + ["x"] + rows[1][2:]]))
    long_ago = timezone.now() - datetime.timedelta(days=settings.IMPORT_RETENTION_DAYS + 1)
    ImportJob.objects.filter(pk=old.pk).update(finished_at=long_ago)
    export_path = tmp_path / "e.csv"
    files.write_chunks(export_path, [b"x"])
    ExportJob.objects.create(list_name="orgs", title="t", actor=c.street_admin, status="done",
                             file_path=str(export_path), finished_at=long_ago)  # fmt: skip
    call_command("prune_files")
    assert not os.path.exists(old.stored_path) and not export_path.exists()
    assert os.path.exists(kept.stored_path)
    assert engine.prune_uploads() == 0


def test_rejected_rows_keep_their_cells_encrypted_in_the_database(party_cast, tmp_path):
    from django.db import connection

    c = party_cast
    rows = [MEMBER_HEADER, ["李四", NUMBER, "不存在的支部", "正式党员", "2015-07-01", "", "", "", "", "", ""]]
    job = run(c.street_admin, "members", write_csv(tmp_path / "m.csv", rows), dry_run=True)
    assert job.rejected == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT cells FROM imports_rejectedrow")
        stored = " ".join(str(value) for (value,) in cursor.fetchall())
    assert NUMBER not in stored and "李四" not in stored
    assert NUMBER in job.rejected_rows.get().cells  # the error file still gets the whole row


def test_prune_files_sweeps_decrypted_copies_a_killed_process_left(tmp_path):
    """A copy older than a day is a killed process's leftover; a younger one may be a live reader's."""
    stored = tmp_path / "s.bin"
    files.write_chunks(stored, [b"310101199001011234"])
    with files.plain_copy(stored) as live:
        left = files.private_dir() / "import-999999-left.csv"
        left.write_bytes(b"310101199001011234")
        day_and_a_bit = timezone.now().timestamp() - 25 * 3600
        os.utime(left, (day_and_a_bit, day_and_a_bit))
        call_command("prune_files")
        assert not left.exists() and os.path.exists(live)


def test_an_owners_next_copy_removes_what_its_killed_run_left(tmp_path):
    stored = tmp_path / "s.bin"
    files.write_chunks(stored, [b"x"])
    left = files.private_dir() / "import-999998-abc.csv"
    left.write_bytes(b"plain")  # as a SIGKILL leaves it: the finally never ran
    busy = files.private_dir() / f"import-999998-{os.getppid()}-def.csv"
    busy.write_bytes(b"plain")  # a live process's copy (another test worker's job of the same number)
    with files.plain_copy(stored, owner="import-999998") as name:
        assert not left.exists() and os.path.basename(name).startswith(f"import-999998-{os.getpid()}-")
        assert busy.exists()
    assert not os.path.exists(name)
    busy.unlink()
