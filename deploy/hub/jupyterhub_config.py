"""JupyterHub for one class of the raft course on one machine (set up by deploy/hub/setup.sh).

Local Unix users: one instructor, the students. Each user's server runs as that
user from the course's environment in $RAFT_HUB_PREFIX/venv (readable by all),
starting in their home (0700). Students get nbgrader's assignment list (fetch,
submit) but neither the formgrader nor Create Assignment; the instructor gets
everything, with the course's nbgrader settings found through
~/.jupyter/nbgrader_config.py.

Authentication: local accounts and their passwords through PAM (JupyterHub's
default). For a class without Unix passwords use NativeAuthenticator (sign-up with
instructor approval) or OAuthenticator (GitHub, Google, GitLab, a university's
OpenID Connect) and add the users with `useradd` as setup.sh does. The end-to-end
test (tests/test_hub.py) swaps in DummyAuthenticator; never use that in a class.

Settings from the environment (setup.sh writes them to $RAFT_HUB_PREFIX/hub.env):
RAFT_HUB_PREFIX, RAFT_HUB_INSTRUCTOR, RAFT_HUB_STUDENTS (space-separated),
RAFT_HUB_PORT (public, default 8000), RAFT_HUB_IP (default 127.0.0.1), RAFT_HUB_ETC
(default /etc/jupyter).
"""

import os

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

PREFIX = os.environ.get("RAFT_HUB_PREFIX", "/opt/raft-course")
INSTRUCTOR = os.environ.get("RAFT_HUB_INSTRUCTOR", "instructor")
STUDENTS = set(os.environ.get("RAFT_HUB_STUDENTS", "").split())
VENV_BIN = os.path.join(PREFIX, "venv", "bin")
#: Where setup.sh writes the Jupyter config every server reads (course id, exchange), and
#: the folder in it that switches nbgrader's instructor tools off for students.
ETC = os.environ.get("RAFT_HUB_ETC", "/etc/jupyter")
STUDENT_CONFIG = os.path.join(ETC, "raft-course-student")

c.JupyterHub.ip = os.environ.get("RAFT_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("RAFT_HUB_PORT", "8000"))
c.JupyterHub.data_files_path = os.path.join(PREFIX, "venv", "share", "jupyterhub")
c.JupyterHub.db_url = f"sqlite:///{os.path.join(PREFIX, 'hub', 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(PREFIX, "hub", "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [os.path.join(PREFIX, "node", "node_modules", ".bin",
                                                "configurable-http-proxy")]

c.Authenticator.allowed_users = STUDENTS | {INSTRUCTOR}
c.Authenticator.admin_users = {INSTRUCTOR}

c.Spawner.cmd = [os.path.join(VENV_BIN, "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
                         "JUPYTER_CONFIG_PATH": ETC}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def student_tools_only(spawner):
    """Students' servers read STUDENT_CONFIG first: no formgrader, no Create Assignment."""
    if spawner.user.name != INSTRUCTOR:
        spawner.environment = {**spawner.environment,
                               "JUPYTER_CONFIG_PATH": f"{STUDENT_CONFIG}:{ETC}"}


c.Spawner.pre_spawn_hook = student_tools_only
