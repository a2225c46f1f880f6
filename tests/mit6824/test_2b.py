"""Part 2B (log replication): BasicAgree, RPCBytes, FollowerFailure, LeaderFailure,
FailAgree, FailNoAgree, ConcurrentStarts, Rejoin, Backup, Count."""

from __future__ import annotations

import string

import pytest

from .harness import RAFT_ELECTION_TIMEOUT, Config, run_test, scenario, seeds

_ALPHABET = string.ascii_letters + string.digits + "+/"  # Go's randstring is base64


@scenario("BasicAgree", servers=3)
def basic_agree(cfg: Config):
    for index in range(1, 4):
        nd, _ = cfg.n_committed(index)
        if nd > 0:
            cfg.fail("some have committed before Start()")
        xindex = yield from cfg.one(index * 100, cfg.n, False)
        if xindex != index:
            cfg.fail(f"got index {xindex} but expected {index}")


@scenario("RPCBytes", servers=3)
def rpc_bytes(cfg: Config):
    """Each command is sent to each peer just once."""
    yield from cfg.one(99, cfg.n, False)
    bytes0 = cfg.bytes_total()
    sent = 0
    for index in range(2, 12):
        cmd = "".join(cfg.rand.choices(_ALPHABET, k=5000))
        xindex = yield from cfg.one(cmd, cfg.n, False)
        if xindex != index:
            cfg.fail(f"got index {xindex} but expected {index}")
        sent += len(cmd)
    got = cfg.bytes_total() - bytes0
    expected = cfg.n * sent
    if got > expected + 50000:
        cfg.fail(f"too many RPC bytes; got {got}, expected {expected}")


@scenario("FollowerFailure", servers=3)
def follower_failure(cfg: Config):
    """Test just failure of followers."""
    n = cfg.n
    yield from cfg.one(101, n, False)
    # disconnect one follower from the network
    leader1 = yield from cfg.check_one_leader()
    cfg.disconnect((leader1 + 1) % n)
    # the leader and remaining follower should be able to agree despite the disconnected follower
    yield from cfg.one(102, n - 1, False)
    yield RAFT_ELECTION_TIMEOUT
    yield from cfg.one(103, n - 1, False)
    # disconnect the remaining follower
    leader2 = yield from cfg.check_one_leader()
    cfg.disconnect((leader2 + 1) % n)
    cfg.disconnect((leader2 + 2) % n)
    # submit a command
    index, _, ok = cfg.start(leader2, 104)
    if not ok:
        cfg.fail("leader rejected Start()")
    if index != 4:
        cfg.fail(f"expected index 4, got {index}")
    yield 2 * RAFT_ELECTION_TIMEOUT
    # check that command 104 did not commit
    nd, _ = cfg.n_committed(index)
    if nd > 0:
        cfg.fail(f"{nd} committed but no majority")


@scenario("LeaderFailure", servers=3)
def leader_failure(cfg: Config):
    """Test just failure of leaders."""
    n = cfg.n
    yield from cfg.one(101, n, False)
    # disconnect the first leader
    leader1 = yield from cfg.check_one_leader()
    cfg.disconnect(leader1)
    # the remaining followers should elect a new leader
    yield from cfg.one(102, n - 1, False)
    yield RAFT_ELECTION_TIMEOUT
    yield from cfg.one(103, n - 1, False)
    # disconnect the new leader
    leader2 = yield from cfg.check_one_leader()
    cfg.disconnect(leader2)
    # submit a command to each server
    for i in range(n):
        cfg.start(i, 104)
    yield 2 * RAFT_ELECTION_TIMEOUT
    # check that command 104 did not commit
    nd, _ = cfg.n_committed(4)
    if nd > 0:
        cfg.fail(f"{nd} committed but no majority")


@scenario("FailAgree", servers=3)
def fail_agree(cfg: Config):
    """Agreement after a follower reconnects."""
    n = cfg.n
    yield from cfg.one(101, n, False)
    # disconnect one follower from the network
    leader = yield from cfg.check_one_leader()
    cfg.disconnect((leader + 1) % n)
    # the leader and remaining follower should be able to agree despite the disconnected follower
    yield from cfg.one(102, n - 1, False)
    yield from cfg.one(103, n - 1, False)
    yield RAFT_ELECTION_TIMEOUT
    yield from cfg.one(104, n - 1, False)
    yield from cfg.one(105, n - 1, False)
    # re-connect
    cfg.connect((leader + 1) % n)
    # the full set of servers should preserve previous agreements, and be able to agree
    # on new commands
    yield from cfg.one(106, n, True)
    yield RAFT_ELECTION_TIMEOUT
    yield from cfg.one(107, n, True)


@scenario("FailNoAgree", servers=5)
def fail_no_agree(cfg: Config):
    """No agreement if too many followers disconnect."""
    n = cfg.n
    yield from cfg.one(10, n, False)
    # 3 of 5 followers disconnect
    leader = yield from cfg.check_one_leader()
    cfg.disconnect((leader + 1) % n)
    cfg.disconnect((leader + 2) % n)
    cfg.disconnect((leader + 3) % n)
    index, _, ok = cfg.start(leader, 20)
    if not ok:
        cfg.fail("leader rejected Start()")
    if index != 2:
        cfg.fail(f"expected index 2, got {index}")
    yield 2 * RAFT_ELECTION_TIMEOUT
    nd, _ = cfg.n_committed(index)
    if nd > 0:
        cfg.fail(f"{nd} committed but no majority")
    # repair
    cfg.connect((leader + 1) % n)
    cfg.connect((leader + 2) % n)
    cfg.connect((leader + 3) % n)
    # the disconnected majority may have chosen a leader from among their own ranks,
    # forgetting index 2
    leader2 = yield from cfg.check_one_leader()
    index2, _, ok2 = cfg.start(leader2, 30)
    if not ok2:
        cfg.fail("leader2 rejected Start()")
    if index2 < 2 or index2 > 3:
        cfg.fail(f"unexpected index {index2}")
    yield from cfg.one(1000, n, True)


@scenario("ConcurrentStarts", servers=3)
def concurrent_starts(cfg: Config):
    n = cfg.n
    for attempt in range(5):
        if attempt > 0:
            yield 3.0  # give the solution some time to settle
        leader = yield from cfg.check_one_leader()
        _, term, ok = cfg.start(leader, 1)
        if not ok:
            continue  # leader moved on really quickly

        def start(i: int):
            index, term1, ok1 = cfg.start(leader, 100 + i)
            return index if term1 == term and ok1 else None
            yield  # a generator: run as its own process

        procs = [cfg.go(start(i)) for i in range(5)]
        indices = [x for x in (yield from cfg.join(procs)) if x is not None]
        if any(cfg.get_state(j)[0] != term for j in range(n)):
            continue  # term changed -- can't expect low RPC counts
        cmds = []
        failed = False
        for index in indices:
            cmd = yield from cfg.wait(index, n, term)
            if not isinstance(cmd, int):
                cfg.fail(f"value {cmd!r} is not an int")
            if cmd == -1:
                failed = True  # peers have moved on to later terms
                break
            cmds.append(cmd)
        if failed:
            continue
        for x in range(100, 105):
            if x not in cmds:
                cfg.fail(f"cmd {x} missing in {cmds}")
        return
    cfg.fail("term changed too often")


@scenario("Rejoin", servers=3)
def rejoin(cfg: Config):
    """Rejoin of a partitioned leader."""
    n = cfg.n
    yield from cfg.one(101, n, True)
    # leader network failure
    leader1 = yield from cfg.check_one_leader()
    cfg.disconnect(leader1)
    # make old leader try to agree on some entries
    cfg.start(leader1, 102)
    cfg.start(leader1, 103)
    cfg.start(leader1, 104)
    # new leader commits, also for index=2
    yield from cfg.one(103, 2, True)
    # new leader network failure
    leader2 = yield from cfg.check_one_leader()
    cfg.disconnect(leader2)
    # old leader connected again
    cfg.connect(leader1)
    yield from cfg.one(104, 2, True)
    # all together now
    cfg.connect(leader2)
    yield from cfg.one(105, n, True)


@scenario("Backup", servers=5)
def backup(cfg: Config):
    """Leader backs up quickly over incorrect follower logs."""
    n = cfg.n
    yield from cfg.one(cfg.rand_int(), n, True)
    # put leader and one follower in a partition
    leader1 = yield from cfg.check_one_leader()
    cfg.disconnect((leader1 + 2) % n)
    cfg.disconnect((leader1 + 3) % n)
    cfg.disconnect((leader1 + 4) % n)
    # submit lots of commands that won't commit
    for _ in range(50):
        cfg.start(leader1, cfg.rand_int())
    yield RAFT_ELECTION_TIMEOUT / 2
    cfg.disconnect((leader1 + 0) % n)
    cfg.disconnect((leader1 + 1) % n)
    # allow other partition to recover
    cfg.connect((leader1 + 2) % n)
    cfg.connect((leader1 + 3) % n)
    cfg.connect((leader1 + 4) % n)
    # lots of successful commands to new group
    for _ in range(50):
        yield from cfg.one(cfg.rand_int(), 3, True)
    # now another partitioned leader and one follower
    leader2 = yield from cfg.check_one_leader()
    other = (leader1 + 2) % n
    if leader2 == other:
        other = (leader2 + 1) % n
    cfg.disconnect(other)
    # lots more commands that won't commit
    for _ in range(50):
        cfg.start(leader2, cfg.rand_int())
    yield RAFT_ELECTION_TIMEOUT / 2
    # bring original leader back to life
    for i in range(n):
        cfg.disconnect(i)
    cfg.connect((leader1 + 0) % n)
    cfg.connect((leader1 + 1) % n)
    cfg.connect(other)
    # lots of successful commands to new group
    for _ in range(50):
        yield from cfg.one(cfg.rand_int(), 3, True)
    # now everyone
    for i in range(n):
        cfg.connect(i)
    yield from cfg.one(cfg.rand_int(), n, True)


@scenario("Count", servers=3)
def count(cfg: Config):
    """RPC counts aren't too high."""
    n = cfg.n

    def rpcs() -> int:
        return sum(cfg.rpc_count(j) for j in range(n))

    leader = yield from cfg.check_one_leader()
    total1 = rpcs()
    if total1 > 30 or total1 < 1:
        cfg.fail(f"too many or few RPCs ({total1}) to elect initial leader")

    iters = 10
    total2 = 0
    success = False
    for attempt in range(5):
        if attempt > 0:
            yield 3.0  # give the solution some time to settle
        leader = yield from cfg.check_one_leader()
        total1 = rpcs()
        starti, term, ok = cfg.start(leader, 1)
        if not ok:
            continue  # leader moved on really quickly
        cmds = []
        moved_on = False
        for i in range(1, iters + 2):
            x = cfg.rand.getrandbits(31)  # Go's rand.Int31()
            cmds.append(x)
            index1, term1, ok = cfg.start(leader, x)
            if term1 != term or not ok:
                moved_on = True  # term changed while starting, or no longer leader
                break
            if starti + i != index1:
                cfg.fail("Start() failed")
        if moved_on:
            continue
        for i in range(1, iters + 1):
            cmd = yield from cfg.wait(starti + i, n, term)
            if cmd != cmds[i - 1]:
                if cmd == -1:
                    moved_on = True  # term changed -- try again
                    break
                cfg.fail(f"wrong value {cmd!r} committed for index {starti + i}; expected {cmds}")
        if moved_on:
            continue
        total2 = rpcs()
        if any(cfg.get_state(j)[0] != term for j in range(n)):
            continue  # term changed -- can't expect low RPC counts
        if total2 - total1 > (iters + 1 + 3) * 3:
            cfg.fail(f"too many RPCs ({total2 - total1}) for {iters} entries")
        success = True
        break
    if not success:
        cfg.fail("term changed too often")

    yield RAFT_ELECTION_TIMEOUT
    total3 = rpcs()
    if total3 - total2 > 3 * 20:
        cfg.fail(f"too many RPCs ({total3 - total2}) for 1 second of idleness")


@pytest.mark.parametrize("seed", seeds())
def test_basic_agree(seed: int) -> None:
    run_test(basic_agree, seed)


@pytest.mark.parametrize("seed", seeds())
def test_rpc_bytes(seed: int) -> None:
    run_test(rpc_bytes, seed)


@pytest.mark.parametrize("seed", seeds())
def test_follower_failure(seed: int) -> None:
    run_test(follower_failure, seed)


@pytest.mark.parametrize("seed", seeds())
def test_leader_failure(seed: int) -> None:
    run_test(leader_failure, seed)


@pytest.mark.parametrize("seed", seeds())
def test_fail_agree(seed: int) -> None:
    run_test(fail_agree, seed)


@pytest.mark.parametrize("seed", seeds())
def test_fail_no_agree(seed: int) -> None:
    run_test(fail_no_agree, seed)


@pytest.mark.parametrize("seed", seeds())
def test_concurrent_starts(seed: int) -> None:
    run_test(concurrent_starts, seed)


@pytest.mark.parametrize("seed", seeds())
def test_rejoin(seed: int) -> None:
    run_test(rejoin, seed)


@pytest.mark.parametrize("seed", seeds())
def test_backup(seed: int) -> None:
    run_test(backup, seed)


@pytest.mark.parametrize("seed", seeds())
def test_count(seed: int) -> None:
    run_test(count, seed)
