"""nbgrader's exchange with private submissions, for a class on one machine (deploy/hub/).

nbgrader's default submit leaves each submission folder world-writable (0777) with
world-readable files (0644), hidden only by a random suffix in a folder students cannot
list. :class:`PrivateSubmit` submits the same way, then makes the folder readable and
writable by its owner (the student) and the group only. The group is the instructor's: the
exchange's ``inbound`` folder is setgid (nbgrader makes it 2733), so everything created in it
belongs to the group of ``inbound`` (the instructor's), which no student is in. Another
student can then neither list, read nor write it; the instructor collects (reads) and may
delete it. Use it in the Jupyter config every server reads::

    c.ExchangeFactory.submit = "raftlib.grade_exchange.PrivateSubmit"
"""

from __future__ import annotations

import os

from nbgrader.exchange.default.submit import ExchangeSubmit

#: Modes of a submission: folders rwx for owner and group, files rw- for owner, r-- group.
FOLDER_MODE, FILE_MODE = 0o2770, 0o640


class PrivateSubmit(ExchangeSubmit):
    """nbgrader's submit whose submission folder only the student and the instructors'
    group can open (see the module doc)."""

    def copy_files(self) -> None:
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        for folder, _, files in os.walk(dest):
            for name in files:
                os.chmod(os.path.join(folder, name), FILE_MODE)
            if folder != dest:
                os.chmod(folder, FOLDER_MODE)
        os.chmod(dest, FOLDER_MODE)  # last: until now others could not find it either
