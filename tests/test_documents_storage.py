"""« Mes documents » on S3-compatible object storage: django-storages' S3 backend against a real S3 server
(moto's, tests/support/s3.py). Uploads (a page's and a resumable one's) land in the bucket, never in
MEDIA_ROOT; downloads and byte ranges are served from it (a ranged GET, not a copy of the object); versions
and their limit of ten, quotas and the trash's purge work there; ``sweep_orphans`` lists the bucket."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from cartable.core import uploads
from cartable.directory.models import Role
from cartable.documents import actions
from cartable.documents.models import Document, QuotaRule
from tests.support import s3
from tests.support.files import OwnMediaTestCase

MiB = 1024 * 1024


def checked(name: str, data: bytes) -> uploads.CheckedFile:
    return uploads.validate_upload(SimpleUploadedFile(name, data), allowed=uploads.ALL)


class ObjectStorageTests(OwnMediaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.bucket = s3.new_bucket()
        cls._s3 = override_settings(STORAGES=s3.storages_for(cls.bucket))
        cls._s3.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._s3.disable()

    def setUp(self):
        self.before = set(s3.keys(self.bucket))

    def new_keys(self) -> set[str]:
        return set(s3.keys(self.bucket)) - self.before

    def local_files(self) -> list[Path]:
        return [p for p in Path(self._media).rglob("*") if p.is_file()]

    def upload(self, name: str = "notes.txt", data: bytes = b"bonjour", who: str = "lucas.martin") -> Document:
        return actions.upload_file(actor=self.actor(who), folder=None, checked=checked(name, data))

    def test_an_upload_lands_in_the_bucket_and_is_served_from_it_with_ranges(self):
        """The picker's upload is an object of the bucket under a generated key; the download streams it back
        with the guard's headers, and a Range is answered 206 with just those bytes."""
        self.login("lucas.martin")
        body = b"0123456789" * 1000
        self.client.post(reverse("documents:upload_root"), {"files": [SimpleUploadedFile("cours.txt", body)]})
        doc = Document.objects.get()
        self.assertEqual(self.new_keys(), {doc.current.file.name})
        self.assertRegex(doc.current.file.name, r"^documents/\d{4}/\d{2}/[0-9a-f]{32}\.txt$")
        self.assertEqual(self.local_files(), [])
        url = reverse("documents:download", args=[doc.pk])
        whole = self.client.get(url)
        self.assertEqual(b"".join(whole.streaming_content), body)
        self.assertEqual(whole["X-Content-Type-Options"], "nosniff")
        part = self.client.get(url, headers={"Range": "bytes=9995-9999"})
        self.assertEqual(part.status_code, 206)
        self.assertEqual(part["Content-Range"], "bytes 9995-9999/10000")
        self.assertEqual(b"".join(part.streaming_content), b"56789")
        self.assertEqual(self.client.get(url, headers={"Range": "bytes=20000-"}).status_code, 416)

    def test_a_resumable_upload_is_stored_in_the_bucket(self):
        """6 MiB sent in two chunks: the partial file stays on local disk, the finished file goes to the
        bucket whole (its digest checked), and the partial is removed after commit."""
        self.login("lucas.martin")
        body = (b"a" * (6 * MiB - 1)) + b"\n"
        started = self.client.post(reverse("documents:upload_start"), {"name": "film.txt", "size": str(len(body))})
        url, chunk = started.json()["url"], started.json()["chunk_size"]
        self.client.patch(url, body[:chunk], content_type="application/octet-stream", headers={"Upload-Offset": "0"})
        with self.captureOnCommitCallbacks(execute=True):
            done = self.client.patch(
                url, body[chunk:], content_type="application/octet-stream", headers={"Upload-Offset": str(chunk)}
            )
        self.assertTrue(done.json()["done"])
        version = Document.objects.get().current
        with default_storage.open(version.file.name, "rb") as stored:
            self.assertEqual(hashlib.sha256(stored.read()).hexdigest(), hashlib.sha256(body).hexdigest())
        self.assertEqual(self.new_keys(), {version.file.name})
        self.assertEqual(self.local_files(), [])

    def test_versions_are_kept_ten_and_restored_on_the_bucket(self):
        """Twelve uploads of one name keep ten objects once committed; restoring one copies its object."""
        with self.captureOnCommitCallbacks(execute=True):
            for n in range(12):
                doc = self.upload("exposé.txt", f"version {n}".encode())
        self.assertEqual(len(self.new_keys()), 10)
        old = doc.versions.get(number=5)
        with self.captureOnCommitCallbacks(execute=True):
            restored = actions.restore_version(actor=self.actor("lucas.martin"), version=old)
        self.assertNotEqual(restored.file.name, old.file.name)
        with default_storage.open(restored.file.name, "rb") as copy:
            self.assertEqual(copy.read(), b"version 4")  # the fifth upload
        self.assertEqual(len(self.new_keys()), 10)

    def test_the_quota_counts_on_object_storage_too(self):
        """The quota is the database's sum whatever the storage: over it, refused and nothing stored."""
        QuotaRule.objects.create(establishment=self.school.college.establishment, role=Role.STUDENT, max_bytes=MiB)
        self.upload("gros.txt", b"a" * (MiB - 100))
        with self.assertRaises(ValidationError) as caught:
            self.upload("encore.txt", b"b" * 200)
        self.assertIn("Il reste", caught.exception.messages[0])
        self.assertEqual(len(self.new_keys()), 1)

    def test_the_sweep_lists_the_bucket_and_removes_only_orphans(self):
        """An object no row names goes; one a version names stays; a young orphan stays (it may be an upload
        whose row has not committed yet)."""
        kept = self.upload().current.file.name
        orphan = default_storage.save("documents/2020/01/orphan.txt", ContentFile(b"x"))
        self.assertEqual(uploads.sweep_orphans(), 0)
        removed = uploads.sweep_orphans(older_than=dt.timedelta(seconds=-5))
        self.assertGreaterEqual(removed, 1)
        left = set(s3.keys(self.bucket))
        self.assertIn(kept, left)
        self.assertNotIn(orphan, left)
