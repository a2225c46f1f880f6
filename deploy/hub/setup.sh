#!/usr/bin/env bash
# Set up one class of the raft course on this machine, as root:
#   deploy/hub/setup.sh deps                    the environment only (make test runs this)
#   deploy/hub/setup.sh class INSTRUCTOR STUDENT...   + users, exchange, course, configs
# then start the hub:  set -a; . /opt/raft-course/hub.env; set +a
#                      /opt/raft-course/venv/bin/jupyterhub -f deploy/hub/jupyterhub_config.py
# Settings (environment): RAFT_HUB_PREFIX (default /opt/raft-course),
# RAFT_HUB_EXCHANGE (default /srv/nbgrader/exchange), RAFT_HUB_ETC (default /etc/jupyter:
# the config every server reads), RAFT_HUB_PORT (default 8000).
# Safe to run again (it updates the course library and configs, keeps users' files).
set -euo pipefail
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
PREFIX="${RAFT_HUB_PREFIX:-/opt/raft-course}"
EXCHANGE="${RAFT_HUB_EXCHANGE:-/srv/nbgrader/exchange}"
ETC="${RAFT_HUB_ETC:-/etc/jupyter}"
JUPYTERHUB="jupyterhub==6.1.1"
CHP="configurable-http-proxy@5.3.0"
say() { echo "hub setup: $*" >&2; }

[ "$(id -u)" = 0 ] || { say "run as root (it creates users and the exchange)"; exit 2; }

deps() {
  # The users' servers need an interpreter they can read: Debian's, not one under /root.
  mkdir -p "$PREFIX"
  if [ ! -x "$PREFIX/venv/bin/jupyterhub" ]; then
    say "creating $PREFIX/venv from /usr/bin/python3 (a few minutes, once)"
    /usr/bin/python3 -m venv "$PREFIX/venv"
    "$PREFIX/venv/bin/pip" install --quiet --upgrade pip
    "$PREFIX/venv/bin/pip" install --quiet "$SRC[notebooks]" "$JUPYTERHUB"
  fi
  # The course library itself is reinstalled every time (it changes with the course).
  "$PREFIX/venv/bin/pip" install --quiet --no-deps --force-reinstall "$SRC"
  if [ ! -x "$PREFIX/node/node_modules/.bin/configurable-http-proxy" ]; then
    command -v npm >/dev/null || { say "npm is missing (Debian: apt-get install npm)"; exit 3; }
    say "installing $CHP from npm"
    npm install --silent --prefix "$PREFIX/node" "$CHP" >/dev/null
  fi
  command -v bwrap >/dev/null || apt-get install -y -qq bubblewrap >/dev/null \
    || say "bubblewrap could not be installed: grading will run without OS isolation"
  chmod -R a+rX "$PREFIX/venv" "$PREFIX/node"
}

class_() {
  local instructor="$1"; shift
  local students="$*"
  # nbgrader's exchange: world-writable with the sticky bit, so nobody removes others'
  # files; nbgrader makes <course>/inbound write-only for students and setgid (2733, owned
  # by the instructor and their group) and <course>/outbound readable by all (0755). The
  # submit plugin (below) closes each submission to all but its student and that group.
  mkdir -p "$EXCHANGE"
  chmod 1777 "$EXCHANGE"
  # What every user's server reads: the course id and the exchange.
  mkdir -p "$ETC"
  cat > "$ETC/nbgrader_config.py" <<EOF
c = get_config()
c.CourseDirectory.course_id = "raft-course"
c.Exchange.root = "$EXCHANGE"
# Submission folders only the student and the instructor's group can open (nbgrader's own
# are world-writable, hidden by a random suffix): raftlib/grade_exchange.py.
c.ExchangeFactory.submit = "raftlib.grade_exchange.PrivateSubmit"
EOF
  # Everyone's kernel websockets send each message at once (TCP_NODELAY): no 30-40 ms wait
  # per widget click (raftlib/jupyter_nodelay.py).
  mkdir -p "$ETC/jupyter_server_config.d"
  echo '{"ServerApp": {"jpserver_extensions": {"raftlib.jupyter_nodelay": true}}}' \
    > "$ETC/jupyter_server_config.d/raftlib.json"
  # Students: no formgrader, no Create Assignment (server and lab extensions off).
  local student_cfg="$ETC/raft-course-student"
  mkdir -p "$student_cfg/labconfig"
  cat > "$student_cfg/jupyter_server_config.json" <<'EOF'
{"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": false}}}
EOF
  cat > "$student_cfg/labconfig/page_config.json" <<'EOF'
{"disabledExtensions": {"@jupyter/nbgrader:formgrader": true,
                        "@jupyter/nbgrader:create-assignment": true,
                        "@jupyter/nbgrader:course-list": true}}
EOF
  chmod -R a+rX "$ETC"
  for user in "$instructor" $students; do
    # Each user in a private group: submissions belong to the instructor's group.
    id -u "$user" >/dev/null 2>&1 || useradd --create-home --user-group --shell /bin/bash "$user"
    chmod 0700 "$(getent passwd "$user" | cut -d: -f6)"  # useradd makes 0755 homes
  done
  local group
  group="$(id -gn "$instructor")"
  for user in $students; do
    if id -nG "$user" | tr ' ' '\n' | grep -qx "$group"; then
      say "student $user is in the instructor's group $group: they could read submissions"
      exit 4
    fi
  done
  # The instructor's course: the repository's solutions/ and settings, in their home.
  local home course
  home="$(getent passwd "$instructor" | cut -d: -f6)"
  course="$home/raft-course"
  mkdir -p "$course" "$home/.jupyter"
  cp -r "$SRC/solutions" "$SRC/nbgrader_config.py" "$course/"
  [ -d "$course/exercises" ] || cp -r "$SRC/exercises" "$course/"
  # The formgrader and nbgrader read ~/.jupyter (servers start in the home, not the course);
  # the gradebook is $course/.grading/gradebook.db whatever the working directory.
  cat > "$home/.jupyter/nbgrader_config.py" <<EOF
c = get_config()
load_subconfig("$course/nbgrader_config.py")
EOF
  # With bubblewrap here, grading refuses to run the students' code without it.
  if command -v bwrap >/dev/null; then
    echo 'c.IsolatedKernelManager.isolation = c.IndependentRecheck.isolation = "bwrap"' \
      >> "$home/.jupyter/nbgrader_config.py"
  fi
  chown -R "$instructor:" "$course" "$home/.jupyter"
  mkdir -p "$PREFIX/hub"
  chmod 0700 "$PREFIX/hub"
  cat > "$PREFIX/hub.env" <<EOF
RAFT_HUB_PREFIX=$PREFIX
RAFT_HUB_INSTRUCTOR=$instructor
RAFT_HUB_STUDENTS="$students"
RAFT_HUB_PORT=${RAFT_HUB_PORT:-8000}
RAFT_HUB_ETC=$ETC
EOF
  say "class ready: instructor $instructor, students: $students"
}

case "${1:-}" in
  deps) deps ;;
  class) [ $# -ge 3 ] || { say "usage: $0 class INSTRUCTOR STUDENT..."; exit 2; }
         shift; deps; class_ "$@" ;;
  *) say "usage: $0 deps | class INSTRUCTOR STUDENT..."; exit 2 ;;
esac
