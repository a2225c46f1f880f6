"""Part 2A (leader election): TestInitialElection2A, TestReElection2A, TestManyElections2A."""

from __future__ import annotations

import pytest

from .harness import RAFT_ELECTION_TIMEOUT, Config, run_test, scenario, seeds


@scenario("InitialElection", servers=3)
def initial_election(cfg: Config):
    # is a leader elected?
    yield from cfg.check_one_leader()
    # sleep a bit to avoid racing with followers learning of the election, then check
    # that all peers agree on the term
    yield 0.050
    term1 = cfg.check_terms()
    if term1 < 1:
        cfg.fail(f"term is {term1}, but should be at least 1")
    # does the leader+term stay the same if there is no network failure?
    yield 2 * RAFT_ELECTION_TIMEOUT
    term2 = cfg.check_terms()
    if term1 != term2:
        cfg.warn("term changed even though there were no failures")  # a warning only, as in Go
    # there should still be a leader
    yield from cfg.check_one_leader()


@scenario("ReElection", servers=3)
def re_election(cfg: Config):
    n = cfg.n
    leader1 = yield from cfg.check_one_leader()
    # if the leader disconnects, a new one should be elected
    cfg.disconnect(leader1)
    yield from cfg.check_one_leader()
    # if the old leader rejoins, that shouldn't disturb the new leader
    cfg.connect(leader1)
    leader2 = yield from cfg.check_one_leader()
    # if there's no quorum, no new leader should be elected
    cfg.disconnect(leader2)
    cfg.disconnect((leader2 + 1) % n)
    yield 2 * RAFT_ELECTION_TIMEOUT
    # check that the one connected server does not think it is the leader
    cfg.check_no_leader()
    # if a quorum arises, it should elect a leader
    cfg.connect((leader2 + 1) % n)
    yield from cfg.check_one_leader()
    # re-join of last node shouldn't prevent leader from existing
    cfg.connect(leader2)
    yield from cfg.check_one_leader()


@scenario("ManyElections", servers=7)
def many_elections(cfg: Config):
    n = cfg.n
    yield from cfg.check_one_leader()
    for _ in range(1, 10):
        # disconnect three nodes (chosen with replacement)
        i1, i2, i3 = (cfg.rand.randrange(n) for _ in range(3))
        cfg.disconnect(i1)
        cfg.disconnect(i2)
        cfg.disconnect(i3)
        # either the current leader should still be alive, or the remaining four
        # should elect a new one
        yield from cfg.check_one_leader()
        cfg.connect(i1)
        cfg.connect(i2)
        cfg.connect(i3)
    yield from cfg.check_one_leader()


@pytest.mark.parametrize("seed", seeds())
def test_initial_election(seed: int) -> None:
    run_test(initial_election, seed)


@pytest.mark.parametrize("seed", seeds())
def test_re_election(seed: int) -> None:
    run_test(re_election, seed)


@pytest.mark.parametrize("seed", seeds())
def test_many_elections(seed: int) -> None:
    run_test(many_elections, seed)
