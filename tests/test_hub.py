"""A class on a real JupyterHub, end to end (deploy/hub/): an instructor and two students as
local Unix users, nbgrader's exchange, the users' own servers driven through the hub's
REST API.

The instructor generates and releases two assignments (nbgrader's command line, run as
the instructor with a clean environment); both students fetch them through their own
servers' nbgrader API, write answers through the contents API and submit (one a full
solution, one a partial one); the instructor collects, autogrades (with the independent
re-check under bubblewrap) and exports. Then: the grades, that a student can read neither
the other's home nor the other's submission in the exchange (not even knowing its folder's
name), and that only the instructor's server has the formgrader.

Needs root (it creates and removes Unix users, and the hub spawns servers as them) and
npm; skipped with the reason otherwise. deploy/hub/setup.sh builds the environment in
/opt/raft-course once (``make test`` runs ``setup.sh deps``).
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SETUP = ROOT / "deploy" / "hub" / "setup.sh"
PREFIX = Path(os.environ.get("RAFT_HUB_PREFIX", "/opt/raft-course"))
ASSIGNMENTS = {"07-terminology": "terminology", "01-quorums": "quorums"}  # the two quickest
MARKER = "### "


def _why_not() -> str | None:
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs root: it creates Unix users and the hub spawns servers as them (CI runs as root)"
    for tool in ("useradd", "userdel", "runuser", "npm"):
        if shutil.which(tool) is None:
            return f"needs `{tool}`"
    if not Path("/usr/bin/python3").exists():
        return "needs /usr/bin/python3 (the users' servers cannot use a Python under /root)"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=str(_why_not()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    """The running hub and how to talk to it and to the users' servers."""

    def __init__(self, url: str, token: str, env: dict[str, str], instructor: str,
                 students: list[str], exchange: Path) -> None:
        self.url, self.token, self.env = url, token, env
        self.instructor, self.students, self.exchange = instructor, students, exchange

    def request(self, method: str, path: str, data: dict | None = None,
                body: bytes | None = None) -> tuple[int, bytes]:
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        elif body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, method: str, path: str, **kwargs) -> object:
        status, body = self.request(method, path, **kwargs)
        assert 200 <= status < 300, f"{method} {path}: {status} {body[:500]!r}"
        return json.loads(body) if body else None

    def start_server(self, user: str) -> None:
        status, body = self.request("POST", f"/hub/api/users/{user}/server")
        assert status in (201, 202, 400), f"starting {user}'s server: {status} {body!r}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            info = self.json("GET", f"/hub/api/users/{user}")
            server = info.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.3)
        raise AssertionError(f"{user}'s server did not start in 120 s")

    def as_user(self, user: str, command: str, check: bool = True) -> subprocess.CompletedProcess:
        """``command`` in a shell run as ``user`` with a clean environment."""
        home = f"/home/{user}"
        env = ["env", "-i", f"HOME={home}", f"USER={user}", "LANG=C.UTF-8",
               f"PATH={PREFIX}/venv/bin:/usr/bin:/bin",
               f"JUPYTER_CONFIG_PATH={self.env['RAFT_HUB_ETC']}"]
        result = subprocess.run(["runuser", "-u", user, "--", *env, "sh", "-c", command],
                                capture_output=True, text=True, timeout=600)
        if check:
            assert result.returncode == 0, f"{user}: {command}\n{result.stdout}\n{result.stderr}"
        return result


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    tag = f"{os.getpid() % 100000}"
    instructor, students = f"rcteach{tag}", [f"rcstu{tag}a", f"rcstu{tag}b"]
    base = Path(f"/srv/raft-course-test-{tag}")
    work = tmp_path_factory.mktemp("hub")
    env = {**os.environ, "RAFT_HUB_PREFIX": str(PREFIX), "RAFT_HUB_EXCHANGE": str(base / "exchange"),
           "RAFT_HUB_ETC": str(base / "etc"), "RAFT_HUB_PORT": str(free_port()),
           "RAFT_HUB_INSTRUCTOR": instructor, "RAFT_HUB_STUDENTS": " ".join(students)}
    started = time.monotonic()
    hub_process = None
    try:
        setup = subprocess.run(["bash", str(SETUP), "class", instructor, *students], env=env,
                               capture_output=True, text=True, timeout=1800)
        assert setup.returncode == 0, setup.stderr[-3000:]
        print(f"\nsetup.sh class: {time.monotonic() - started:.1f} s")
        token = secrets.token_hex(32)
        config = work / "jupyterhub_test_config.py"
        config.write_text(
            f"load_subconfig({str(ROOT / 'deploy' / 'hub' / 'jupyterhub_config.py')!r})\n"
            "c.JupyterHub.authenticator_class = 'dummy'  # the test only, never a class\n"
            f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{free_port()}'\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{free_port()}'\n"
            f"c.JupyterHub.db_url = 'sqlite:///{work / 'hub.sqlite'}'\n"
            f"c.JupyterHub.cookie_secret_file = {str(work / 'cookie_secret')!r}\n"
            f"c.JupyterHub.services = [{{'name': 'course-test', 'api_token': {token!r}}}]\n"
            "c.JupyterHub.load_roles = [{'name': 'course-test', 'services': ['course-test'],\n"
            "    'scopes': ['admin:users', 'admin:servers', 'access:servers']}]\n")
        log = open(work / "hub.log", "w")
        hub_process = subprocess.Popen([str(PREFIX / "venv" / "bin" / "jupyterhub"), "-f",
                                        str(config)], cwd=work, env=env, stdout=log,
                                       stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{env['RAFT_HUB_PORT']}"
        the_hub = Hub(url, token, env, instructor, students, base / "exchange")
        deadline = time.monotonic() + 60
        while True:
            try:
                if the_hub.request("GET", "/hub/api/")[0] == 200:
                    break
            except OSError:
                pass
            assert hub_process.poll() is None, (work / "hub.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the hub did not answer in 60 s"
            time.sleep(0.2)
        yield the_hub
    finally:
        if hub_process is not None:
            hub_process.terminate()
            try:
                hub_process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                hub_process.kill()
        for user in [instructor, *students]:
            subprocess.run(["pkill", "-u", user], capture_output=True)
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
        print(f"\nhub test: {time.monotonic() - started:.1f} s including setup and clean-up")


def answers(assignment: str, cells_to_fill: int | None = None) -> dict[str, str]:
    """The solution's code of the answer cells (the first ``cells_to_fill`` of them)."""
    nb = nbformat.read(next((ROOT / "solutions" / assignment).glob("*.ipynb")), 4)
    found = {}
    for cell in nb.cells:
        info = cell.metadata.get("nbgrader", {})
        if info.get("solution"):
            found[info["grade_id"]] = "".join(
                line for line in cell.source.splitlines(keepends=True)
                if not line.strip().startswith(("### BEGIN SOLUTION", "### END SOLUTION")))
    return dict(list(found.items())[:cells_to_fill])


def answer_in_server(hub: Hub, student: str, assignment: str, filled: dict[str, str]) -> None:
    """Write answers into the student's fetched notebook through their server's contents API."""
    path = f"/user/{student}/api/contents/{assignment}/{ASSIGNMENTS[assignment]}.ipynb"
    model = hub.json("GET", path)
    for cell in model["content"]["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in filled:
            cell["source"] = filled[grade_id]
    body = json.dumps({"type": "notebook", "format": "json", "content": model["content"]})
    hub.json("PUT", path, body=body.encode())


def test_a_class_on_a_real_hub(hub: Hub):
    start = time.monotonic()
    course = f"/home/{hub.instructor}/raft-course"
    # The instructor generates and releases two assignments.
    for assignment in ASSIGNMENTS:
        hub.as_user(hub.instructor, f"cd {course} && nbgrader generate_assignment {assignment} "
                                    f"--create --force && nbgrader release_assignment "
                                    f"{assignment} --force")
    # Students fetch, answer and submit through their own servers.
    full, partial = hub.students
    for student in hub.students:
        hub.start_server(student)
        for assignment in ASSIGNMENTS:
            listed = hub.json("POST", f"/user/{student}/assignments/fetch",
                              data={"assignment_id": assignment, "course_id": "raft-course"})
            assert listed["success"], listed
            assert any(a["assignment_id"] == assignment and a["status"] == "fetched"
                       for a in listed["value"]), listed
    for assignment in ASSIGNMENTS:
        answer_in_server(hub, full, assignment, answers(assignment))
        answer_in_server(hub, partial, assignment, answers(assignment, 1))
        for student in hub.students:
            done = hub.json("POST", f"/user/{student}/assignments/submit",
                            data={"assignment_id": assignment, "course_id": "raft-course"})
            assert done["success"], done
    # The instructor collects, autogrades and exports.
    for assignment in ASSIGNMENTS:
        graded = hub.as_user(hub.instructor, f"cd {course} && nbgrader collect {assignment} "
                                             f"&& nbgrader autograde {assignment}")
        assert "not isolated" not in graded.stderr, graded.stderr[-2000:]  # bwrap ran
    # From the home folder, as the formgrader runs: the course's gradebook, found by path.
    hub.as_user(hub.instructor, "cd ~ && nbgrader export --to ~/grades.csv")
    with open(f"/home/{hub.instructor}/grades.csv", newline="") as f:
        grades = {(r["assignment"], r["student_id"]): (float(r["score"]), float(r["max_score"]))
                  for r in csv.DictReader(f)}
    for assignment in ASSIGNMENTS:
        score, top = grades[(assignment, full)]
        assert score == top > 0, (assignment, grades)
        score, top = grades[(assignment, partial)]
        assert 0 < score < top, (assignment, grades)
    assert Path(f"{course}/.grading/gradebook.db").is_file()
    # The kernel and the re-check must run under bubblewrap (full marks above show they did).
    settings = Path(f"/home/{hub.instructor}/.jupyter/nbgrader_config.py").read_text()
    assert 'c.IndependentRecheck.isolation = "bwrap"' in settings
    print(f"\nhub workflow (2 assignments, 2 students): {time.monotonic() - start:.1f} s")

    # Students cannot read each other's homes or each other's submissions.
    other_home = hub.as_user(partial, f"ls /home/{full}", check=False)
    assert other_home.returncode != 0 and "Permission denied" in other_home.stderr
    inbound = hub.exchange / "raft-course" / "inbound"
    theirs = [p for p in inbound.iterdir() if p.name.startswith(f"{full}+")]
    assert theirs, list(inbound.iterdir())
    # nbgrader's inbound is write-only for students (0733): submissions cannot be listed.
    listing = hub.as_user(partial, f"ls {inbound}", check=False)
    assert listing.returncode != 0, "a student can list the exchange's inbound submissions"
    # Even knowing a folder's exact name (nbgrader hides it only by a random suffix),
    # another student can neither list, read nor write it (raftlib/grade_exchange.py).
    for folder in theirs:
        notebook = next(folder.glob("*.ipynb"))
        where, what = shlex.quote(str(folder)), shlex.quote(str(notebook))  # names have spaces
        for attempt in (f"ls {where}", f"cat {what}", f"touch {where}/planted",
                        f"echo x >> {what}"):
            tried = hub.as_user(partial, attempt, check=False)
            assert tried.returncode != 0, f"another student could: {attempt}"
        assert folder.stat().st_mode & 0o7777 == 0o770, oct(folder.stat().st_mode)
        assert folder.stat().st_gid == inbound.stat().st_gid  # the instructor's group

    # Only the instructor gets the formgrader (server side) and its menus (lab side).
    hub.start_server(hub.instructor)
    assert hub.request("GET", f"/user/{hub.instructor}/formgrader")[0] == 200
    assert hub.request("GET", f"/user/{partial}/formgrader")[0] == 404
    status, page = hub.request("GET", f"/user/{partial}/lab")
    assert status == 200 and b"@jupyter/nbgrader:formgrader" in page
    status, page = hub.request("GET", f"/user/{hub.instructor}/lab")
    assert status == 200 and b"@jupyter/nbgrader:formgrader" not in page
