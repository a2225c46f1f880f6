"""nbgrader settings for the raft course (run nbgrader from the project root).

solutions/<assignment>/ is the instructor's source (answers and hidden tests),
exercises/<assignment>/ the generated student copy (committed), and grading
state (gradebook, submitted, autograded, feedback) lives in .grading/ (ignored
by git). ``python -m raftlib.grade`` loads this file too, so its local grades
match the instructor's.
"""

import os

from raftlib.checks.kernel import IsolatedKernelManager
from raftlib.checks.recheck import autograde_preprocessors, sanitize_preprocessors

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

# Everything below is relative to the folder of this file, wherever nbgrader or the
# formgrader starts (a server's working directory is the user's home, not the course).
HERE = os.path.dirname(os.path.abspath(__file__))  # noqa: F821 (set by the config loader)
c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "raft-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = ".grading/submitted"
c.CourseDirectory.autograded_directory = ".grading/autograded"
c.CourseDirectory.feedback_directory = ".grading/feedback"
c.CourseDirectory.solution_directory = ".grading/solution"
c.CourseDirectory.db_url = f"sqlite:///{os.path.join(HERE, '.grading', 'gradebook.db')}"
try:
    os.makedirs(os.path.join(HERE, ".grading"), exist_ok=True)
except OSError:  # a read-only copy of the course (a learner's): raftlib.grade uses a temp folder
    pass

# Files a submission may not bring along: a raftlib.py (or raftlib/) next to the notebook
# would shadow the real library in the grading kernel, a .pth or sitecustomize would run code.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "*.py", "*.pth", "*.so", "raftlib", "sitecustomize*"]

# Autograding: a cell that runs longer than this (an endless loop) is interrupted and fails.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# The outputs are collected by then: stop each grading kernel at once (saves a second each).
c.Execute.shutdown_kernel = "immediate"
# Put back test cells a student deleted (they would otherwise simply score 0).
c.OverwriteCells.add_missing_cells = True
# Re-run every test cell outside the student's kernel (raftlib/checks/recheck.py), with the
# test sources read before any kernel runs, and put the gradebook's cells back before each
# notebook (a kernel could rewrite them to break the grading of later submissions).
c.Autograde.autograde_preprocessors = autograde_preprocessors()
c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
# The learner's kernel and the re-check run under bubblewrap (raftlib/checks/isolation.py):
# user 65534, no network, only the notebook's folder and the libraries visible. "auto" uses
# it where it runs and warns in nbgrader's log where not ("not isolated by the OS: why");
# "bwrap" makes it required (every test fails without it); "none" switches it off.
c.Execute.kernel_manager_class = IsolatedKernelManager
c.IsolatedKernelManager.isolation = c.IndependentRecheck.isolation = "auto"
