"""nbgrader's exchange with private submissions, for a class on one machine (deploy/hub/).

nbgrader's default submit leaves each submission folder world-writable (0777) with
world-readable files (0644), hidden only by a random suffix in a folder students cannot
list. :class:`PrivateSubmit` submits the same way, then closes the folder (and the folders
in it) to everyone but its owner (the student) and its group: 0770. The group is the
instructor's: the exchange's ``inbound`` folder is setgid (nbgrader makes it 2733), so a
folder created in it belongs to the group of ``inbound`` (the instructor's), which no
student is in. Files stay 0644 but can only be reached through the closed folder (some of
them belong to the student's own group: nbgrader's copy takes the folder's setgid bit away
before it writes them). Another student can then neither list, read nor write the
submission; the instructor collects (reads) it and may delete it. Use it in the Jupyter config every server reads::

    c.ExchangeFactory.submit = "raftlib.grade_exchange.PrivateSubmit"
"""

from __future__ import annotations

import os

from nbgrader.exchange.default.submit import ExchangeSubmit

#: Mode of a submission's folders: rwx for the student and the instructor's group only.
FOLDER_MODE = 0o770


class PrivateSubmit(ExchangeSubmit):
    """nbgrader's submit whose submission folder only the student and the instructors'
    group can open (see the module doc)."""

    def copy_files(self) -> None:
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        for folder, _, _ in os.walk(dest):
            os.chmod(folder, FOLDER_MODE)
