"""Stored files leave the disk once no row points to them: a person's erasure removes their work's files."""

import os
import time

from django.core.files.storage import default_storage

from cartable.core import registry, schedule
from cartable.core.tasks import sweep_orphan_files
from cartable.core.uploads import referenced_files
from cartable.homework.models import Submission
from tests.support.files import pdf_upload
from tests.support.homework import SubmissionTestCase


def age(name: str, seconds: int = 3 * 3600) -> None:
    """Make a stored file look older than the sweep's grace period."""
    path = default_storage.path(name)
    past = time.time() - seconds
    os.utime(path, (past, past))


class OrphanSweepTests(SubmissionTestCase):
    def test_erasing_a_student_removes_the_files_of_their_work_at_the_next_sweep(self):
        """Lucas's files go after his erasure; Léa's stay; a fresh orphan waits for its grace period."""
        self.submit("lucas.martin", files=[pdf_upload("lucas.pdf")], text="Ma copie")
        lucas_file = Submission.objects.get(student=self.people["lucas.martin"]).files.get().file.name
        self.submit("lea.bernard", files=[pdf_upload("lea.pdf")], text="Ma copie")
        lea_file = Submission.objects.get(student=self.people["lea.bernard"]).files.get().file.name
        self.assertEqual({lucas_file, lea_file} - referenced_files(), set())
        # Written just now by this process's clock (the disk's clock differs when the suite runs under faketime).
        age(lucas_file, 0)
        age(lea_file, 0)

        registry.data_provider(Submission).erase(self.people["lucas.martin"])
        self.assertNotIn(lucas_file, referenced_files())
        self.assertTrue(default_storage.exists(lucas_file))  # still on disk, but young

        self.assertEqual(sweep_orphan_files.call(), 0)
        age(lucas_file)
        age(lea_file)
        self.assertEqual(sweep_orphan_files.call(), 1)
        self.assertFalse(default_storage.exists(lucas_file))
        self.assertTrue(default_storage.exists(lea_file))

    def test_the_sweep_is_a_periodic_job(self):
        """The worker queues the sweep with the other periodic jobs."""
        self.assertIn("core.sweep_orphan_files", {j.key for j in registry.periodic_jobs()})
        self.assertIn("core.sweep_orphan_files", schedule.enqueue_due())
