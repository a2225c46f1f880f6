"""Part 2C (persistence): Persist1-3, Figure8, UnreliableAgree, Figure8Unreliable,
ReliableChurn, UnreliableChurn."""

from __future__ import annotations

import pytest

from .harness import RAFT_ELECTION_TIMEOUT, Config, run_test, scenario, seeds


@scenario("Persist1", servers=3)
def persist1(cfg: Config):
    """Basic persistence."""
    n = cfg.n
    yield from cfg.one(11, n, True)
    # crash and re-start all
    for i in range(n):
        cfg.start1(i)
    for i in range(n):
        cfg.disconnect(i)
        cfg.connect(i)
    yield from cfg.one(12, n, True)

    leader1 = yield from cfg.check_one_leader()
    cfg.disconnect(leader1)
    cfg.start1(leader1)
    cfg.connect(leader1)
    yield from cfg.one(13, n, True)

    leader2 = yield from cfg.check_one_leader()
    cfg.disconnect(leader2)
    yield from cfg.one(14, n - 1, True)
    cfg.start1(leader2)
    cfg.connect(leader2)
    yield from cfg.wait(4, n, -1)  # wait for leader2 to join before killing i3

    i3 = ((yield from cfg.check_one_leader()) + 1) % n
    cfg.disconnect(i3)
    yield from cfg.one(15, n - 1, True)
    cfg.start1(i3)
    cfg.connect(i3)
    yield from cfg.one(16, n, True)


@scenario("Persist2", servers=5)
def persist2(cfg: Config):
    """More persistence."""
    n = cfg.n
    index = 1
    for _ in range(5):
        yield from cfg.one(10 + index, n, True)
        index += 1
        leader1 = yield from cfg.check_one_leader()
        cfg.disconnect((leader1 + 1) % n)
        cfg.disconnect((leader1 + 2) % n)
        yield from cfg.one(10 + index, n - 2, True)
        index += 1
        cfg.disconnect((leader1 + 0) % n)
        cfg.disconnect((leader1 + 3) % n)
        cfg.disconnect((leader1 + 4) % n)
        cfg.start1((leader1 + 1) % n)
        cfg.start1((leader1 + 2) % n)
        cfg.connect((leader1 + 1) % n)
        cfg.connect((leader1 + 2) % n)
        yield RAFT_ELECTION_TIMEOUT
        cfg.start1((leader1 + 3) % n)
        cfg.connect((leader1 + 3) % n)
        yield from cfg.one(10 + index, n - 2, True)
        index += 1
        cfg.connect((leader1 + 4) % n)
        cfg.connect((leader1 + 0) % n)
    yield from cfg.one(1000, n, True)


@scenario("Persist3", servers=3)
def persist3(cfg: Config):
    """Partitioned leader and one follower crash, leader restarts."""
    n = cfg.n
    yield from cfg.one(101, 3, True)
    leader = yield from cfg.check_one_leader()
    cfg.disconnect((leader + 2) % n)
    yield from cfg.one(102, 2, True)
    cfg.crash1((leader + 0) % n)
    cfg.crash1((leader + 1) % n)
    cfg.connect((leader + 2) % n)
    cfg.start1((leader + 0) % n)
    cfg.connect((leader + 0) % n)
    yield from cfg.one(103, 2, True)
    cfg.start1((leader + 1) % n)
    cfg.connect((leader + 1) % n)
    yield from cfg.one(104, n, True)


def figure8_sleep(cfg: Config) -> float:
    """10 %: up to half an election timeout (0-499 ms); otherwise 0-12 ms."""
    if cfg.rand.randrange(1000) < 100:
        return cfg.rand.randrange(int(RAFT_ELECTION_TIMEOUT * 1000) // 2) / 1000
    return cfg.rand.randrange(13) / 1000


@scenario("Figure8", servers=5)
def figure8(cfg: Config):
    """Figure 8 of the Raft paper: crashes of (possibly stale) leaders right after Start()."""
    n = cfg.n
    yield from cfg.one(cfg.rand_int(), 1, True)
    nup = n
    for _ in range(1000):
        leader = -1
        for i in range(n):
            if cfg.alive[i]:
                _, _, ok = cfg.start(i, cfg.rand_int())
                if ok:
                    leader = i
        yield figure8_sleep(cfg)
        if leader != -1:
            cfg.crash1(leader)
            nup -= 1
        if nup < 3:
            s = cfg.rand.randrange(n)
            if not cfg.alive[s]:
                cfg.start1(s)
                cfg.connect(s)
                nup += 1
    for i in range(n):
        if not cfg.alive[i]:
            cfg.start1(i)
            cfg.connect(i)
    yield from cfg.one(cfg.rand_int(), n, True)


@scenario("UnreliableAgree", servers=5, unreliable=True)
def unreliable_agree(cfg: Config):
    n = cfg.n
    procs = []
    for iters in range(1, 50):
        for j in range(4):
            procs.append(cfg.go(cfg.one(100 * iters + j, 1, True)))
        yield from cfg.one(iters, 1, True)
    cfg.setunreliable(False)
    yield from cfg.join(procs)
    yield from cfg.one(100, n, True)


@scenario("Figure8Unreliable", servers=5, unreliable=True)
def figure8_unreliable(cfg: Config):
    n = cfg.n
    yield from cfg.one(cfg.rand_int() % 10000, 1, True)
    nup = n
    for iters in range(1000):
        if iters == 200:
            cfg.setlongreordering(True)
        leader = -1
        for i in range(n):
            _, _, ok = cfg.start(i, cfg.rand_int() % 10000)
            if ok and cfg.connected[i]:
                leader = i
        yield figure8_sleep(cfg)
        if leader != -1 and cfg.rand_int() % 1000 < int(RAFT_ELECTION_TIMEOUT * 1000) // 2:
            cfg.disconnect(leader)
            nup -= 1
        if nup < 3:
            s = cfg.rand.randrange(n)
            if not cfg.connected[s]:
                cfg.connect(s)
                nup += 1
    for i in range(n):
        if not cfg.connected[i]:
            cfg.connect(i)
    yield from cfg.one(cfg.rand_int() % 10000, n, True)


def churn(cfg: Config):
    """internalChurn: 3 clients Start() on every live server while servers crash,
    restart, disconnect and reconnect; every value a client saw committed must survive."""
    n = cfg.n
    stop = False

    def client(me: int):
        values = []
        while not stop:
            x = cfg.rand_int()
            index = -1
            ok = False
            for i in range(n):
                if cfg.alive[i]:
                    index1, _, ok1 = cfg.start(i, x)
                    if ok1:
                        ok = ok1
                        index = index1
            if ok:
                # maybe leader will commit our value, maybe not; but don't wait forever
                for to in (10, 20, 50, 100, 200):
                    nd, cmd = cfg.n_committed(index)
                    if nd > 0:
                        if not isinstance(cmd, int):
                            cfg.fail("wrong command type")
                        if cmd == x:
                            values.append(x)
                        break
                    yield to / 1000
            else:
                yield (79 + me * 17) / 1000
        return values

    clients = [cfg.go(client(i)) for i in range(3)]
    for _ in range(20):
        if cfg.rand.randrange(1000) < 200:
            cfg.disconnect(cfg.rand.randrange(n))
        if cfg.rand.randrange(1000) < 500:
            i = cfg.rand.randrange(n)
            if not cfg.alive[i]:
                cfg.start1(i)
            cfg.connect(i)
        if cfg.rand.randrange(1000) < 200:
            i = cfg.rand.randrange(n)
            if cfg.alive[i]:
                cfg.crash1(i)
        # make crash/restart infrequent enough that the peers can often keep up, but not
        # so infrequent that everything has settled down from one change to the next
        yield RAFT_ELECTION_TIMEOUT * 7 / 10
    yield RAFT_ELECTION_TIMEOUT
    cfg.setunreliable(False)
    for i in range(n):
        if not cfg.alive[i]:
            cfg.start1(i)
        cfg.connect(i)
    stop = True
    values = []
    for result in (yield from cfg.join(clients)):
        if result is None:
            cfg.fail("client failed")
        values.extend(result)
    yield RAFT_ELECTION_TIMEOUT

    last_index = yield from cfg.one(cfg.rand_int(), n, True)
    really = []
    for index in range(1, last_index + 1):
        v = yield from cfg.wait(index, n, -1)
        if not isinstance(v, int):
            cfg.fail("not an int")
        really.append(v)
    for v1 in values:
        if v1 not in really:
            cfg.fail("didn't find a value")


reliable_churn = scenario("ReliableChurn", servers=5)(churn)
unreliable_churn = scenario("UnreliableChurn", servers=5, unreliable=True)(churn)


@pytest.mark.parametrize("seed", seeds())
def test_persist1(seed: int) -> None:
    run_test(persist1, seed)


@pytest.mark.parametrize("seed", seeds())
def test_persist2(seed: int) -> None:
    run_test(persist2, seed)


@pytest.mark.parametrize("seed", seeds())
def test_persist3(seed: int) -> None:
    run_test(persist3, seed)


@pytest.mark.parametrize("seed", seeds())
def test_figure8(seed: int) -> None:
    run_test(figure8, seed)


@pytest.mark.parametrize("seed", seeds())
def test_unreliable_agree(seed: int) -> None:
    run_test(unreliable_agree, seed)


@pytest.mark.parametrize("seed", seeds())
def test_figure8_unreliable(seed: int) -> None:
    run_test(figure8_unreliable, seed)


@pytest.mark.parametrize("seed", seeds())
def test_reliable_churn(seed: int) -> None:
    run_test(reliable_churn, seed)


@pytest.mark.parametrize("seed", seeds())
def test_unreliable_churn(seed: int) -> None:
    run_test(unreliable_churn, seed)
