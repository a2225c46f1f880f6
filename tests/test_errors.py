"""Bad input gets a clear error: a ``raftlib.RaftlibError`` subclass (and the
matching ``ValueError``/``KeyError``) whose message says what was wrong and
what is allowed.
"""

from __future__ import annotations

import math

import pytest

import raftlib as rl
from raftlib import faults

SERVERS = "S1, S2, S3"


def raises(kind: type, *mentions: str):
    """``pytest.raises`` that also checks the type hierarchy and the message."""
    assert issubclass(kind, rl.RaftlibError)

    class Check:
        def __enter__(self):
            self.ctx = pytest.raises(kind)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            suppressed = self.ctx.__exit__(*exc)
            message = str(self.info.value)
            for text in mentions:
                assert text in message, f"{text!r} not in the message {message!r}"
            return suppressed

    return Check()


@pytest.fixture
def c() -> rl.Cluster:
    return rl.Cluster(3, seed=1)


def test_error_classes():
    assert issubclass(rl.ConfigError, ValueError) and issubclass(rl.ConfigError, rl.RaftlibError)
    assert issubclass(rl.UnknownServerError, KeyError)
    assert issubclass(rl.UnknownServerError, rl.RaftlibError)
    assert issubclass(rl.SafetyViolation, rl.RaftlibError)
    # a KeyError subclass that prints its message, not its repr
    assert str(rl.UnknownServerError("unknown server 'S9'")) == "unknown server 'S9'"
    assert issubclass(rl.InvalidCommandError, rl.ConfigError)
    for kind in (rl.CommandFailed, rl.StaleClientError, rl.ReentrantRunError):
        assert issubclass(kind, rl.RaftlibError) and kind in vars(rl).values()


# --------------------------------------------------------------------- the size
@pytest.mark.parametrize("n", [0, -1, 2.0, "3", True, None])
def test_n_must_be_an_int_of_at_least_one(n):
    with raises(rl.ConfigError, "n must be an int >= 1", repr(n)):
        rl.Cluster(n)


# ------------------------------------------------------------------ server ids
@pytest.mark.parametrize("call", [
    lambda c: c["S9"], lambda c: c.crash("S9"), lambda c: c.restart("S9"),
    lambda c: c.disconnect("S9"), lambda c: c.connect("S9"), lambda c: c.cut("S1", "S9"),
    lambda c: c.timeout("S9"), lambda c: c.applied("S9"), lambda c: c.submit("x", to="S9"),
    lambda c: c.partition(["S1", "S2", "S3", "S9"]),
], ids=["getitem", "crash", "restart", "disconnect", "connect", "cut", "timeout", "applied",
        "submit", "partition"])
def test_unknown_server_ids_list_the_valid_ones(c, call):
    with raises(rl.UnknownServerError, "'S9'", SERVERS):
        call(c)


def test_an_unhashable_server_id_is_unknown(c):
    with raises(rl.UnknownServerError, SERVERS):
        c[["S1"]]


# ------------------------------------------------------------------------ time
@pytest.mark.parametrize("seconds", [-1, -0.001, math.nan, math.inf, None, "soon"])
def test_run_needs_a_finite_time_of_at_least_zero(c, seconds):
    with raises(rl.ConfigError, "seconds", repr(seconds)):
        c.run(seconds)
    assert c.now == 0


@pytest.mark.parametrize("timeout", [-1, math.nan, math.inf, "x"])
def test_run_until_needs_a_finite_timeout(c, timeout):
    with raises(rl.ConfigError, "timeout"):
        c.run_until(lambda: False, timeout)


def test_run_until_needs_a_callable_predicate(c):
    with raises(rl.ConfigError, "predicate"):
        c.run_until(True, 1)


@pytest.mark.parametrize("seconds", ["1", True])
def test_run_refuses_strings_and_bools(c, seconds):
    with raises(rl.ConfigError, "seconds"):
        c.run(seconds)


def test_call_later_needs_a_delay_of_at_least_zero(c):
    with raises(rl.ConfigError, "delay", ">= 0"):
        c.call_later(-1, lambda: None)


@pytest.mark.parametrize("call", [lambda c: c.call_later(0.1, 5), lambda c: c.spawn(5)],
                         ids=["call_later", "spawn"])
def test_call_later_and_spawn_check_what_they_are_given(c, call):
    with raises(rl.ConfigError):
        call(c)


def test_run_process_that_does_not_finish_in_time(c):
    def forever():
        while True:
            yield 1.0

    with raises(rl.ConfigError, "did not finish within 2"):
        c.run_process(forever(), timeout=2)


# ------------------------------------------------------------------ partitions
def test_partition_naming_a_server_twice_in_one_group(c):
    with raises(rl.ConfigError, "'S1' is named twice", "name each once"):
        c.partition(["S1", "S1"], ["S2", "S3"])


def test_partition_naming_a_server_in_two_groups(c):
    with raises(rl.ConfigError, "'S2' is named twice", "groups 1 and 2"):
        c.partition(["S1", "S2"], ["S2", "S3"])


def test_partition_leaving_a_server_out(c):
    with raises(rl.ConfigError, "does not name S3", "exactly one group"):
        c.partition(["S1"], ["S2"])


def test_partition_given_a_string(c):
    with raises(rl.ConfigError, "the string 'S1'", "partition(['S1', 'S2'], ['S3'])"):
        c.partition("S1", ["S2", "S3"])


def test_partition_with_no_groups(c):
    with raises(rl.ConfigError, "at least one group"):
        c.partition()


def test_a_refused_partition_changes_nothing(c):
    c.partition(["S1"], ["S2", "S3"])
    with pytest.raises(rl.ConfigError):
        c.partition(["S1", "S2"], ["S2", "S3"])
    assert c.network.groups == [["S1"], ["S2", "S3"]]


def test_partition_given_a_number(c):
    with raises(rl.ConfigError, "lists of server ids"):
        c.partition(5, ["S1", "S2", "S3"])


# -------------------------------------------------------------------- timeouts
@pytest.mark.parametrize("value", [(0.3, 0.1), (-0.1, 0.1), (0, 0), (math.nan, 1)])
def test_election_timeout_range(value):
    with raises(rl.ConfigError, "election_timeout", "0 <= low <= high and high > 0"):
        rl.Cluster(3, election_timeout=value)


@pytest.mark.parametrize("value", [0.3, (0.1,), (0.1, 0.2, 0.3), ("a", "b"), None])
def test_election_timeout_must_be_a_pair(value):
    if value is None:  # None means "the timing preset's range"
        assert rl.Cluster(3, election_timeout=None).election_timeout == (0.150, 0.300)
        return
    with raises(rl.ConfigError, "election_timeout must be a (low, high) pair"):
        rl.Cluster(3, election_timeout=value)


@pytest.mark.parametrize("kwargs", [{"election_timeout": (0.1, math.inf)},
                                    {"latency": (0, math.inf)}, {"election_timeout": "12"}],
                         ids=["timeout-inf", "latency-inf", "timeout-string"])
def test_ranges_must_be_finite_pairs_of_numbers(kwargs):
    with raises(rl.ConfigError):
        rl.Cluster(3, **kwargs)


@pytest.mark.parametrize("value", [0, -1, math.inf, "x"])
def test_heartbeat_interval(value):
    with raises(rl.ConfigError, "heartbeat_interval"):
        rl.Cluster(3, heartbeat_interval=value)


def test_latency_and_storage_latency_ranges():
    with raises(rl.ConfigError, "latency must satisfy 0 <= low <= high"):
        rl.Cluster(3, latency=(0.01, 0.001))
    with raises(rl.ConfigError, "storage_latency must be a (low, high) pair"):
        rl.Cluster(3, storage_latency=(1,))


def test_unknown_timing_preset():
    with raises(rl.ConfigError, "timing must be one of", "'mit'", "'paper'", "'fast'"):
        rl.Cluster(3, timing="fast")


# --------------------------------------------------------------------- network
@pytest.mark.parametrize("name", ["request_loss", "reply_loss", "duplicate"])
@pytest.mark.parametrize("value", [1.5, -0.1, math.nan, "x", None])
def test_network_probabilities(c, name, value):
    with raises(rl.ConfigError, name, "probability between 0 and 1"):
        setattr(c.network, name, value)
    assert getattr(c.network, name) == 0.0


def test_network_delay_ranges(c):
    with raises(rl.ConfigError, "request_delay"):
        c.network.request_delay = (0.5, 0.1)
    with raises(rl.ConfigError, "latency"):
        c.network.latency = (-1, 1)
    assert c.network.latency == (0.002, 0.010)


# ------------------------------------------------------------ node class, seed
@pytest.mark.parametrize("node_class", [object, "RaftNode", rl.RaftNode("S1", ["S1"]), None])
def test_node_class_must_be_a_raft_node_subclass(node_class):
    with raises(rl.ConfigError, "node_class must be RaftNode or a subclass of it"):
        rl.Cluster(3, node_class=node_class)


@pytest.mark.parametrize("seed", ["1", 1.5, None, True])
def test_seed_must_be_an_int(seed):
    with raises(rl.ConfigError, "seed must be an int", repr(seed)):
        rl.Cluster(3, seed=seed)


# ---------------------------------------------------------------- observation
@pytest.mark.parametrize("index", [0, -1, 1.0, True, "1"])
def test_committed_needs_an_index_of_at_least_one(c, index):
    with raises(rl.ConfigError, "index must be an int >= 1", repr(index)):
        c.committed(index)


def test_in_flight_ids(c):
    c.timeout("S1")
    ids = [m.id for m in c.in_flight()]
    for call in (c.drop, c.duplicate, c.deliver_now):
        with raises(rl.ConfigError, "no message with id 999 is in flight", str(ids)):
            call(999)


# --------------------------------------------------------------- crashed servers
def test_submit_to_a_crashed_server(c):
    c.crash("S2")
    with raises(rl.ConfigError, "S2 is crashed", "restart('S2')", "S1, S3"):
        c.submit("x", to="S2")


def test_timeout_of_a_crashed_server(c):
    c.crash("S2")
    with raises(rl.ConfigError, "S2 is crashed"):
        c.timeout("S2")


# --------------------------------------------------------------------- clients
def test_client_names(c):
    with raises(rl.ConfigError, "not a server id", "'S1'"):
        c.client("S1")
    c.client("C1")
    with raises(rl.ConfigError, "'C1' already exists"):
        c.client("C1")


def test_client_timeout(c):
    with raises(rl.ConfigError, "timeout must be", ">= 0.005"):
        c.client("C2", timeout=0)


def test_client_timeout_must_be_a_number(c):
    with raises(rl.ConfigError, "timeout"):
        c.client("C2", timeout="soon")


def test_client_request_kinds_and_one_at_a_time(c):
    cl = c.client("C1")
    with raises(rl.ConfigError, "kind must be one of", "'put'", "'delete'"):
        cl.request("delete", "x")
    cl.put("x", 1)
    with raises(rl.ConfigError, "one request at a time"):
        cl.put("y", 2)


def test_client_wait_that_gets_no_answer(c):
    for sid in c.nodes:
        c.crash(sid)
    cl = c.client("C1")
    cl.put("x", 1)
    with raises(rl.ConfigError, "no answer within 1"):
        cl.wait(1)


# ---------------------------------------------------------------------- faults
def test_fault_schedule_arguments():
    with raises(rl.ConfigError, "seed must be an int"):
        faults.random_schedule(3, "seed")
    with raises(rl.ConfigError, "profile must be one of", "'mixed'"):
        faults.random_schedule(3, 1, profile="wild")
    with raises(rl.ConfigError, "duration", ">= 0"):
        faults.random_schedule(3, 1, duration=-1)
    with raises(rl.ConfigError, "mean_gap", ">= 0.001"):
        faults.random_schedule(3, 1, mean_gap=0)
    with raises(rl.ConfigError, "max_down must be an int from 0 to 3"):
        faults.random_schedule(3, 1, max_down=4)
    with raises(rl.ConfigError, "weights must map actions"):
        faults.random_schedule(3, 1, weights={"explode": 1})
    with raises(rl.ConfigError, "servers must be"):
        faults.random_schedule("S1", 1)


def test_unknown_fault_actions(c):
    with raises(rl.ConfigError, "unknown fault action 'explode'", "crash"):
        faults.apply_fault(c, faults.Fault(0.0, "explode"))
    with raises(rl.ConfigError, "Fault records"):
        faults.install(c, [(0.1, "crash", ("S1",))])
