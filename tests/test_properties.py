"""Property tests (hypothesis): under any fault schedule, no safety property is
ever broken, and once the faults are healed the cluster makes progress again.

Each example is one :func:`raftlib.soak.chaos_run`: a 3-5 server cluster with
client load, faults from a schedule, every safety property checked after every
event, then heal, then 6.824's ``one()``: a leader takes a new command and every
server applies it within 10 virtual seconds. Schedules come from
:func:`raftlib.faults.random_schedule` with a hypothesis-drawn seed, or are
drawn by hypothesis fault by fault (so it can shrink a failing one).

Hypothesis is derandomized (the examples are a function of the test), so CI is
deterministic; ``python -m raftlib.soak`` runs the same property over 10,000+
seeds.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import raftlib as rl
from raftlib import faults, soak

CI = settings(max_examples=50, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
NO_SHRINK = settings(CI, phases=[Phase.explicit, Phase.generate])  # a smaller seed means nothing


def check(outcome: soak.Outcome) -> None:
    assert outcome.ok, (f"seed {outcome.seed}, {outcome.n} servers: {outcome.prop}: "
                        f"{outcome.evidence}")


# ------------------------------------------------------- seeded random schedules
@NO_SHRINK
@given(seed=st.integers(0, 2**63 - 1), profile=st.sampled_from(sorted(faults.PROFILES)),
       n=st.sampled_from([3, 4, 5]))
def test_random_fault_schedules_are_safe_and_heal(seed, profile, n):
    schedule = faults.random_schedule(n, seed, duration=3.0, profile=profile)
    check(soak.chaos_run(seed, n=n, schedule=schedule, duration=3.0, check_every_event=True))


# ------------------------------------------------ schedules drawn fault by fault
@st.composite
def fault(draw, ids: list[str]) -> faults.Fault:
    time = draw(st.floats(0.0, 3.0, allow_nan=False).map(lambda t: round(t, 3)))
    action = draw(st.sampled_from(sorted(faults.ACTIONS)))
    server = st.sampled_from(ids)
    if action == "crash":
        args = (draw(st.sampled_from([*ids, faults.LEADER])),)
    elif action == "restart":
        args = draw(st.sampled_from([(), (draw(server),)]))
    elif action in ("disconnect", "connect"):
        args = (draw(server),)
    elif action == "cut":
        args = tuple(draw(st.lists(server, min_size=2, max_size=2, unique=True)))
    elif action == "partition":
        group_of = draw(st.lists(st.integers(0, 2), min_size=len(ids), max_size=len(ids)))
        groups = [tuple(s for s, g in zip(ids, group_of) if g == k) for k in range(3)]
        args = tuple(g for g in groups if g)
    elif action in ("unreliable", "long_reordering"):
        args = (draw(st.booleans()),)
    elif action == "duplicate":
        args = (draw(st.sampled_from([0.0, 0.1, 0.3])),)
    else:
        args = ()
    return faults.Fault(time, action, args)


@st.composite
def cluster_and_schedule(draw) -> tuple[int, list[faults.Fault]]:
    n = draw(st.sampled_from([3, 4, 5]))
    ids = [f"S{i}" for i in range(1, n + 1)]
    return n, draw(st.lists(fault(ids), max_size=40))


@CI
@given(case=cluster_and_schedule(), seed=st.integers(0, 1000))
def test_hand_drawn_fault_schedules_are_safe_and_heal(case, seed):
    """Any schedule at all: crashing every server, restarting running ones,
    partitions into three groups, one-way cuts, all the network faults."""
    n, schedule = case
    check(soak.chaos_run(seed, n=n, schedule=schedule, duration=3.0, check_every_event=True))


# -------------------------------------------------- the property can fail
class VoteTwice(rl.RaftNode):
    """Grants every RequestVote of its term, even after voting for another."""

    def handle_request_vote(self, m: rl.RequestVote) -> None:
        granted = m.term == self.current_term and self.log_is_up_to_date(m.last_log_term,
                                                                         m.last_log_index)
        if granted:
            self.voted_for = m.candidate_id
            self.reset_election_timer()
        self.send(rl.RequestVoteReply(self.id, m.src, self.current_term, granted))


class NoElectionRestriction(rl.RaftNode):
    """Votes for any candidate, however stale its log (§5.4.1 left out)."""

    def log_is_up_to_date(self, last_log_term: int, last_log_index: int) -> bool:
        return True


@pytest.mark.parametrize("bug, prop", [(VoteTwice, "Election Safety"),
                                       (NoElectionRestriction, "Leader Completeness")])
def test_chaos_runs_catch_broken_servers(bug, prop):
    found = [soak.chaos_run(seed, node_class=bug, duration=3.0) for seed in range(40)]
    props = {o.prop for o in found if not o.ok}
    assert prop in props, props


def test_a_message_storm_ends_the_run_as_a_liveness_failure():
    class ResendOnEveryReply(rl.RaftNode):
        def handle_append_entries_reply(self, m):
            super().handle_append_entries_reply(m)
            if self.role == rl.LEADER:
                self.broadcast_append_entries()

    outcome = soak.chaos_run(1, n=5, node_class=ResendOnEveryReply, duration=1.0)
    assert outcome.prop == "Liveness" and "message storm" in outcome.evidence


# ------------------------------------------------------------- the soak command
def test_soak_command_reports_seeds_violations_and_wall_time():
    done = subprocess.run([sys.executable, "-m", "raftlib.soak", "--seeds", "6", "--workers",
                           "2", "--start", "100"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "seeds run: 6 (seeds 100..105), violations: 0, wall time:" in done.stdout


def test_soak_command_exits_with_1_and_names_the_seed_on_a_violation(tmp_path):
    (tmp_path / "broken.py").write_text(
        "import raftlib as rl\n"
        "class NoRestriction(rl.RaftNode):\n"
        "    def log_is_up_to_date(self, last_log_term, last_log_index):\n"
        "        return True\n")
    done = subprocess.run([sys.executable, "-m", "raftlib.soak", "--seeds", "20", "--workers",
                           "1", "--node-class", "broken:NoRestriction"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "VIOLATION seed=" in done.stdout and "Leader Completeness" in done.stdout
    assert "seeds run: 20" in done.stdout


def test_soak_command_rejects_bad_arguments():
    done = subprocess.run([sys.executable, "-m", "raftlib.soak", "--seeds", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--seeds" in done.stderr
