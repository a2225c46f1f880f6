"""Leader-election experiments: the Raft paper's Figure 16 (§9.3) on the simulator.

The paper repeatedly crashed the leader of a five-server LogCabin cluster and
measured the time until a new leader was elected, for several election-timeout
ranges. This module repeats that experiment trial by trial (each trial has its
own seed, so any trial can be replayed) and compares the result with the
numbers the paper reports::

    python -m raftlib.experiments            # a quick run (50 trials a line)
    python -m raftlib.experiments --full     # the paper's 1000 trials (100 for 150-150 ms)
    python -m raftlib.experiments --full --save raftlib/data/figure16.csv   # refresh shipped data

The full run's result ships with the course (:func:`load_full`), so a lesson can
show all 9,100 trials without running them.

How a trial is set up (:func:`run_trial`), following §9.3:

- five servers; the heartbeat interval is half the minimum election timeout;
- broadcast time about 15 ms: a message that depends on newly persisted state
  (a vote, a new term, new log entries) waits for a disk write first
  (``storage_latency``), as LogCabin's did;
- logs of different lengths, so that some candidates cannot win: S1 (the
  leader, term 2), S2 and S3 hold 3 entries, S4 and S5 hold 4 and 5 entries
  left over from term 1 (uncommitted; the new leader has not overwritten them
  because it has had no client requests yet). After S1 crashes, only S4 and S5
  can collect a majority (election restriction, §5.4.1);
- the leader's heartbeats go to all followers at the same instant; it crashes
  at a uniformly random moment within the heartbeat interval after one.

The time measured runs from the crash until a server becomes leader in a later
term. A trial that elects nobody within ``Setup.horizon`` virtual seconds
counts as ``inf``.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import numbers
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from .cluster import Cluster
from .core import LEADER, Entry, PersistentState
from .errors import ConfigError, RaftlibError

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.figure
    import pandas as pd

#: The timeout ranges of Figure 16 in milliseconds: the top panel varies the
#: randomness, the bottom panel scales the minimum timeout. 150-300 is in both.
TOP = ((150, 150), (150, 151), (150, 155), (150, 175), (150, 200), (150, 300))
BOTTOM = ((12, 24), (25, 50), (50, 100), (100, 200), (150, 300))
FIGURE16 = tuple(dict.fromkeys(TOP + BOTTOM))

#: What §9.3 reports in words: (timeout range, statistic, value in ms, the paper's sentence).
PAPER_REPORTED = (
    ((150, 150), "min", 10_000.0, "without randomness, leader election consistently took "
                                  "longer than 10 seconds"),
    ((150, 155), "median", 287.0, "adding just 5ms of randomness ... median downtime of 287ms"),
    ((150, 200), "max", 513.0, "with 50ms of randomness the worst-case completion time "
                               "(over 1000 trials) was 513ms"),
    ((12, 24), "mean", 35.0, "with an election timeout of 12-24ms, it takes only 35ms on "
                             "average to elect a leader"),
    ((12, 24), "max", 152.0, "(the longest trial took 152ms)"),
)


#: The full run (``--full``, seed 0, PAPER_SETUP), one row per trial, as shipped.
FULL_RESULT = Path(__file__).resolve().parent / "data" / "figure16.csv"
TRIAL_COLUMNS = ("timeout", "low_ms", "high_ms", "trial", "downtime_ms", "terms", "leader")


@dataclass(frozen=True)
class Setup:
    """How every trial is set up; the defaults model the paper's LogCabin cluster.

    ``latency`` is the one-way network delay and ``storage_latency`` one disk
    write, both (low, high) ranges in seconds drawn uniformly. ``log_lengths``
    gives each server's log (all entries of term 1); S1 must be able to win the
    first election, so its log must be as long as a majority's. ``horizon``:
    virtual seconds to wait for a new leader before giving up.
    ``timer_jitter``: extra uniform delay (seconds) on every election timer,
    a model of a real machine's timer and scheduling noise (0: exact timers).
    """

    latency: tuple[float, float] = (0.001, 0.002)
    storage_latency: tuple[float, float] | None = (0.003, 0.007)
    log_lengths: tuple[int, ...] = (3, 3, 3, 4, 5)
    horizon: float = 60.0
    timer_jitter: float = 0.0
    warmup_heartbeats: int = 3

    def __post_init__(self) -> None:
        lengths = self.log_lengths
        if (not isinstance(lengths, tuple) or len(lengths) < 3
                or not all(isinstance(n, int) and n >= 0 for n in lengths)):
            raise ConfigError(f"log_lengths must be a tuple of >= 3 ints >= 0 (one per server), "
                              f"got {lengths!r}")
        majority = len(lengths) // 2 + 1
        if sum(1 for n in lengths if n <= lengths[0]) < majority:
            raise ConfigError(f"log_lengths {lengths!r}: S1 (first) must have a log at least as "
                              f"long as {majority - 1} other servers', or it cannot be elected")
        if not (isinstance(self.horizon, (int, float)) and 0 < self.horizon < math.inf):
            raise ConfigError(f"horizon must be a finite number of seconds > 0, got "
                              f"{self.horizon!r}")
        if not (isinstance(self.timer_jitter, (int, float)) and 0 <= self.timer_jitter < 1):
            raise ConfigError(f"timer_jitter must be seconds in [0, 1), got {self.timer_jitter!r}")
        if not (isinstance(self.warmup_heartbeats, int) and self.warmup_heartbeats >= 1):
            raise ConfigError(f"warmup_heartbeats must be an int >= 1, got "
                              f"{self.warmup_heartbeats!r}")

    @property
    def n(self) -> int:
        return len(self.log_lengths)


PAPER_SETUP = Setup()


class Trial(NamedTuple):
    """One crash and re-election. ``downtime`` is in seconds (``inf``: no leader
    within the horizon); ``terms`` counts the terms used (1: the first election
    after the crash succeeded; more: split votes or ineligible candidates)."""

    timeout_ms: tuple[float, float]
    index: int
    seed: int
    downtime: float
    terms: int
    leader: str | None


class _JitteryCluster(Cluster):
    """A cluster whose election timers fire up to ``timer_jitter`` seconds late."""

    def __init__(self, *args, timer_jitter: float, **kwargs) -> None:
        self.timer_jitter = timer_jitter
        super().__init__(*args, **kwargs)

    def set_timer(self, node: str, name: str, delay: float) -> None:
        if name == "election":
            delay += self.rng(f"jitter:{node}").uniform(0.0, self.timer_jitter)
        super().set_timer(node, name, delay)


def check_timeout(timeout_ms: Sequence[float]) -> tuple[float, float]:
    """Validate an election-timeout range ``(low, high)`` in milliseconds."""
    try:
        low, high = timeout_ms
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise ConfigError(f"an election timeout must be a (low, high) pair of milliseconds, e.g. "
                          f"(150, 300), got {timeout_ms!r}") from None
    if not (0 < low <= high < math.inf):
        raise ConfigError(f"an election timeout needs 0 < low <= high (milliseconds), got "
                          f"{timeout_ms!r}")
    return low, high


def _check_count(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def trial_seed(seed: int, timeout_ms: Sequence[float], index: int, attempt: int = 0) -> int:
    """The cluster seed of one trial: a hash of the run's seed, the line and the trial number."""
    low, high = check_timeout(timeout_ms)
    text = f"figure16:{seed}:{low:g}-{high:g}:{index}:{attempt}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:6], "big")


def label(timeout_ms: Sequence[float]) -> str:
    """The name of a line, e.g. "150-300ms"."""
    low, high = check_timeout(timeout_ms)
    return f"{low:g}-{high:g}ms"


def _prepared_cluster(low: float, high: float, seed: int, setup: Setup) -> Cluster:
    """``setup.n`` servers in term 1, with logs of ``setup.log_lengths`` entries."""
    options = dict(seed=seed, election_timeout=(low / 1000, high / 1000),
                   heartbeat_interval=low / 2000, latency=setup.latency,
                   storage_latency=setup.storage_latency)
    c = (_JitteryCluster(setup.n, timer_jitter=setup.timer_jitter, **options)
         if setup.timer_jitter else Cluster(setup.n, **options))
    for sid, length in zip(c.nodes, setup.log_lengths):
        log = tuple(Entry(1, f"x{i}") for i in range(1, length + 1))
        c[sid].restore(PersistentState(1, None, log))
    return c


def _warm_up(c: Cluster, heartbeats: int) -> bool:
    """Run until S1 has led term 2 for ``heartbeats`` heartbeats plus a uniformly random
    part of the next interval; False if it lost the lead (the set-up must be redone)."""

    def still_leader() -> bool:
        return c["S1"].role == LEADER and c["S1"].current_term == 2

    if not c.run_until(still_leader, 1.0):
        return False
    for _ in range(heartbeats):
        c.run(c.timers[("S1", "heartbeat")][1] - c.now)
        if not still_leader():
            return False
    c.run(c.rng("crash").uniform(0.0, c.heartbeat_interval))
    return still_leader()


def run_trial(timeout_ms: Sequence[float], seed: int, setup: Setup = PAPER_SETUP, *,
              index: int = 0, attempts: int = 20) -> Trial:
    """Crash a leader once and time the election of the next one (see the module docstring).

    The warm-up makes S1 leader of term 2 (its election timer fires first) and
    lets it send ``setup.warmup_heartbeats`` heartbeats; if another server
    times out during the warm-up, the set-up is redone with the next seed
    (at most ``attempts`` times).
    """
    return replay(timeout_ms, seed, setup, index=index, attempts=attempts)[0]


def replay(timeout_ms: Sequence[float], seed: int, setup: Setup = PAPER_SETUP, *,
           index: int = 0, attempts: int = 20) -> tuple[Trial, Cluster]:
    """Like :func:`run_trial`, and also return the cluster, to read its trace or transcript."""
    low, high = check_timeout(timeout_ms)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    if not isinstance(setup, Setup):
        raise ConfigError(f"setup must be a raftlib.experiments.Setup, got {setup!r}")
    _check_count("index", index, 0)
    _check_count("attempts", attempts)
    for attempt in range(attempts):
        c = _prepared_cluster(low, high, trial_seed(seed, (low, high), index, attempt), setup)
        c.timeout("S1")
        if _warm_up(c, setup.warmup_heartbeats):
            break
    else:
        raise RaftlibError(f"no stable leader in {attempts} set-up attempts with timeouts "
                           f"{label((low, high))}: the timeouts are too short for this latency "
                           f"(Raft needs broadcast time << election timeout, §5.6)")
    c.crash("S1")
    crashed_at = c.now

    def elected() -> bool:
        leader = c.leader()
        return leader is not None and c[leader].current_term > 2

    ok = c.run_until(elected, setup.horizon)
    leader = c.leader() if ok else None
    top_term = max(c[s].current_term for s in c.nodes if c.up[s])
    return Trial((low, high), index, seed, c.now - crashed_at if ok else math.inf,
                 top_term - 2, leader), c


def _run_chunk(job: tuple) -> list[Trial]:
    timeout_ms, seed, indices, setup = job
    return [run_trial(timeout_ms, seed, setup, index=i) for i in indices]


def run_lines(lines: Iterable[Sequence[float]], trials: int | dict, *, seed: int = 0,
              setup: Setup = PAPER_SETUP, processes: int = 1, chunk: int = 25) -> "pd.DataFrame":
    """Run ``trials`` trials for each timeout range in ``lines`` (ms); ``trials`` may be a
    dict from range to count. Returns one row per trial, ordered by line and trial.

    ``processes > 1`` spreads the trials over that many worker processes; the
    result is the same, because every trial is seeded on its own.
    """
    import pandas as pd

    if not isinstance(setup, Setup):
        raise ConfigError(f"setup must be a raftlib.experiments.Setup, got {setup!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    _check_count("processes", processes)
    lines = [check_timeout(line) for line in lines]
    if not lines:
        raise ConfigError("lines must name at least one timeout range, e.g. [(150, 300)]")
    counts = {line: _check_count(f"trials for {label(line)}",
                                 trials.get(line) if isinstance(trials, dict) else trials)
              for line in lines}
    jobs = [(line, seed, range(start, min(start + chunk, counts[line])), setup)
            for line in lines for start in range(0, counts[line], chunk)]
    if processes == 1:
        results = map(_run_chunk, jobs)
        rows = [t for chunk_result in results for t in chunk_result]
    else:  # imported here: the browser (Pyodide) has no processes, and needs none for 1
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=processes) as pool:
            rows = [t for chunk_result in pool.map(_run_chunk, jobs) for t in chunk_result]
    return pd.DataFrame({
        "timeout": [label(t.timeout_ms) for t in rows],
        "low_ms": [t.timeout_ms[0] for t in rows],
        "high_ms": [t.timeout_ms[1] for t in rows],
        "trial": [t.index for t in rows],
        "downtime_ms": [t.downtime * 1000 for t in rows],
        "terms": [t.terms for t in rows],
        "leader": [t.leader for t in rows],
    })


def figure16(trials: int = 1000, no_random_trials: int | None = None, *, seed: int = 0,
             setup: Setup = PAPER_SETUP, processes: int = 1) -> "pd.DataFrame":
    """Every line of Figure 16: ``trials`` trials each, ``no_random_trials`` for 150-150 ms
    (default: a tenth of ``trials``, at least 1, as in the paper's 1000 and 100)."""
    _check_count("trials", trials)
    if no_random_trials is None:
        no_random_trials = max(1, trials // 10)
    _check_count("no_random_trials", no_random_trials)
    counts = {line: (no_random_trials if line == (150, 150) else trials) for line in FIGURE16}
    return run_lines(FIGURE16, counts, seed=seed, setup=setup, processes=processes)


def load_full(path: str | Path = FULL_RESULT) -> "pd.DataFrame":
    """The full Figure 16 run shipped with the course (9,100 trials, made by
    ``python -m raftlib.experiments --full --save ...``), in :func:`run_lines`' columns;
    ``downtime_ms`` is ``inf`` for trials that elected nobody within the horizon."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no Figure 16 result at {path}; make one with "
                          f"`python -m raftlib.experiments --full --save {path}`")
    df = pd.read_csv(path, keep_default_na=False, na_values={"leader": [""]})
    if tuple(df.columns) != TRIAL_COLUMNS:
        raise ConfigError(f"{path} must have the columns {', '.join(TRIAL_COLUMNS)}, "
                          f"got {', '.join(df.columns)}")
    df["leader"] = df["leader"].astype(object).where(df["leader"].notna(), None)
    return df


def cdf(downtime_ms: Iterable[float]) -> tuple[list[float], list[float]]:
    """The empirical CDF as (times, cumulative percent). Trials with no leader
    (``inf``) count in the total but are not plotted, so the curve stops short of 100 %."""
    if isinstance(downtime_ms, (str, bytes)) or not hasattr(downtime_ms, "__iter__"):
        raise ConfigError(f"cdf() needs a list of downtimes in ms, got {downtime_ms!r}")
    values = list(downtime_ms)
    if not values:
        raise ConfigError("cdf() needs at least one downtime")
    if any(isinstance(v, (bool, str, bytes)) or not isinstance(v, numbers.Real) for v in values):
        raise ConfigError(f"cdf() needs numbers (ms), got {values[:3]!r}...")
    if any(v != v for v in values):
        raise ConfigError("cdf() got a NaN downtime")
    finite = sorted(v for v in values if v < math.inf)
    n = len(values)
    return finite, [100.0 * (i + 1) / n for i in range(len(finite))]


def summary(df: "pd.DataFrame") -> "pd.DataFrame":
    """One row per line: trials, min/median/mean/99th percentile/max downtime (ms; the mean
    and percentiles over all trials, ``inf`` where trials elected nobody), how many elected
    nobody, the mean number of terms and the share of trials with a split or lost vote."""
    import pandas as pd

    rows = []
    for name, group in df.groupby("timeout", sort=False):
        d = group["downtime_ms"]
        rows.append({
            "timeout": name, "trials": len(group),
            "min_ms": d.min(), "median_ms": d.median(),
            "mean_ms": d.mean(), "p99_ms": d.quantile(0.99, interpolation="higher"),
            "max_ms": d.max(), "no_leader": int((d == math.inf).sum()),
            "mean_terms": group["terms"].mean(),
            "more_than_one_term": (group["terms"] > 1).mean(),
        })
    return pd.DataFrame(rows).set_index("timeout")


def compare_with_paper(df: "pd.DataFrame") -> "pd.DataFrame":
    """The figures §9.3 reports, beside the same statistic of this run (ms)."""
    import pandas as pd

    table = summary(df)
    rows = []
    for line, stat, paper, sentence in PAPER_REPORTED:
        name = label(line)
        ours = table.loc[name, f"{stat}_ms"] if name in table.index else float("nan")
        rows.append({"timeout": name, "statistic": stat, "paper_ms": paper,
                     "simulator_ms": ours,
                     "trials": int(table.loc[name, "trials"]) if name in table.index else 0,
                     "paper_says": sentence})
    return pd.DataFrame(rows)


def plot_figure16(df: "pd.DataFrame", *, title: str | None = None) -> "matplotlib.figure.Figure":
    """Two panels like the paper's: cumulative percent of trials against the time without
    a leader; the top one (log scale) varies the randomness, the bottom one the timeout.
    A line whose trials never elected a leader appears in the legend only."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, figsize=(7.5, 7.5))
    colours = {label(line): f"C{i}" for i, line in enumerate(FIGURE16)}
    present = set(df["timeout"])
    for ax, lines, scale in ((axes[0], TOP, "log"), (axes[1], BOTTOM, "linear")):
        for line in lines:
            name = label(line)
            if name not in present:
                continue
            x, y = cdf(df.loc[df["timeout"] == name, "downtime_ms"])
            text = name if x else f"{name} (no leader in any trial)"
            ax.step(x, y, where="post", label=text, color=colours[name])
        ax.set_xscale(scale)
        ax.set_xlabel("time without leader (ms)")
        ax.set_ylabel("cumulative percent")
        ax.set_ylim(0, 100)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right", fontsize="small")
    axes[1].set_xlim(0, 600)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def broadcast_time(setup: Setup = PAPER_SETUP, *, samples: int = 50, seed: int = 0) -> dict:
    """Mean broadcast time (§5.6) in ms in this set-up: from sending an RPC to all
    other servers in parallel until the last reply is back, for a RequestVote round
    (a disk write on each side), an AppendEntries carrying one new entry (likewise)
    and an empty heartbeat (no disk write)."""
    _check_count("samples", samples)
    peers = setup.n - 1
    rounds: dict[str, list[float]] = {"RequestVote": [], "AppendEntries (1 entry)": [],
                                      "heartbeat": []}
    for i in range(samples):
        c = Cluster(setup.n, seed=trial_seed(seed, (1000, 1000), i), election_timeout=(1, 1),
                    heartbeat_interval=0.5, latency=setup.latency,
                    storage_latency=setup.storage_latency)

        def heartbeat() -> None:  # run until the leader's heartbeat timer fires
            c.run_until(lambda: c.timers[("S1", "heartbeat")][0] == c.now, 1.0)

        for name, reply, start in (("RequestVote", "RequestVoteReply", lambda: c.timeout("S1")),
                                   ("AppendEntries (1 entry)", "AppendEntriesReply",
                                    lambda: c.submit("x")),
                                   ("heartbeat", "AppendEntriesReply", heartbeat)):
            c.run(0.1)  # let the previous round settle
            before = c.stats.delivered.get(reply, 0)
            start()
            t0 = c.now
            c.run_until(lambda: c.stats.delivered.get(reply, 0) - before >= peers, 1.0)
            rounds[name].append(c.now - t0)
    return {name: 1000 * sum(v) / len(v) for name, v in rounds.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m raftlib.experiments",
                                     description="Reproduce Figure 16 of the Raft paper (§9.3).")
    parser.add_argument("--full", action="store_true",
                        help="the paper's trial counts: 1000 a line, 100 for 150-150 ms")
    parser.add_argument("--trials", type=int, default=50, help="trials a line (default 50)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: all cores)")
    parser.add_argument("--plot", metavar="PNG", help="also save the two-panel CDF plot")
    parser.add_argument("--save", metavar="CSV", help="also save every trial (one row each)")
    args = parser.parse_args(argv)
    trials = 1000 if args.full else args.trials
    import pandas as pd

    start = time.perf_counter()
    df = figure16(trials, seed=args.seed, processes=args.processes)
    elapsed = time.perf_counter() - start
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.float_format", "{:,.1f}".format):
        print(summary(df).to_string())
        print()
        print(compare_with_paper(df).drop(columns="paper_says").to_string(index=False))
    print(f"\n{len(df)} trials in {elapsed:.1f} s wall time with {args.processes} process(es)")
    if args.save:
        df.to_csv(args.save, index=False)
        print(f"trials saved to {args.save}")
    if args.plot:
        plot_figure16(df).savefig(args.plot, dpi=120)
        print(f"plot saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
