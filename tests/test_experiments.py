"""The Figure 16 experiment (raftlib.experiments): set-up, determinism, statistics, bad input."""

import math

import matplotlib
import pytest

matplotlib.use("Agg")

import raftlib as rl  # noqa: E402
from raftlib import experiments as ex  # noqa: E402


def test_without_randomness_split_votes_never_end_and_randomness_fixes_it():
    df = ex.run_lines([(150, 150), (150, 155), (150, 300)], {(150, 150): 3, (150, 155): 15,
                                                             (150, 300): 15})
    table = ex.summary(df)
    # Exact timers: every follower times out within the heartbeats' arrival spread, long
    # before any RequestVote lands, so every term is a split vote until the horizon.
    assert table.loc["150-150ms", "no_leader"] == 3
    assert table.loc["150-150ms", "mean_terms"] >= 300
    # 5 ms of randomness elects a leader, after several split votes ...
    assert table.loc["150-155ms", "no_leader"] == 0
    assert table.loc["150-155ms", "mean_terms"] > 3
    # ... 150 ms of randomness mostly at the first or second term, and much sooner.
    assert table.loc["150-300ms", "mean_terms"] < 2.5
    assert table.loc["150-155ms", "median_ms"] > 3 * table.loc["150-300ms", "median_ms"]


def test_timer_jitter_eventually_breaks_the_symmetry():
    df = ex.run_lines([(150, 150)], 3, setup=ex.Setup(timer_jitter=0.001))
    assert (df["downtime_ms"] < math.inf).all()
    assert (df["downtime_ms"] > 1000).all()   # still many split votes first


def test_only_candidates_with_up_to_date_logs_win():
    # S1-S3 hold 3 entries, S4 and S5 hold 4 and 5: after S1 crashes only S4 or S5
    # can gather a majority (election restriction, §5.4.1).
    df = ex.run_lines([(150, 300), (25, 50)], 20)
    assert set(df["leader"]) <= {"S4", "S5"}
    assert (df["terms"] > 1).any()   # ineligible S2/S3 sometimes time out first


def test_crash_falls_within_one_heartbeat_interval_after_a_broadcast():
    # The shortest possible outage is min timeout - heartbeat interval = half the minimum.
    df = ex.run_lines([(150, 300)], 30)
    assert df["downtime_ms"].min() >= 75
    assert df["downtime_ms"].min() < 150


def test_broadcast_time_is_about_15_ms_with_disk_writes():
    times = ex.broadcast_time(samples=20)
    assert 10 < times["RequestVote"] < 20
    assert 10 < times["AppendEntries (1 entry)"] < 20
    assert times["heartbeat"] < 6   # no disk write for an empty heartbeat


def test_results_are_reproducible_and_seeded_per_trial():
    a = ex.run_trial((150, 200), seed=4, index=7)
    b = ex.run_trial((150, 200), seed=4, index=7)
    assert a == b
    others = {ex.run_trial((150, 200), seed=4, index=i).downtime for i in range(6)}
    assert len(others) > 1
    assert ex.run_trial((150, 200), seed=5, index=7).downtime != a.downtime
    trial, cluster = ex.replay((150, 200), seed=4, index=7)
    assert trial == a and cluster.leader() == a.leader
    serial = ex.run_lines([(150, 175), (50, 100)], 6, seed=3, chunk=4)
    parallel = ex.run_lines([(150, 175), (50, 100)], 6, seed=3, chunk=4, processes=2)
    assert serial.equals(parallel)


def test_cdf_is_monotone_and_counts_trials_without_leader():
    df = ex.run_lines([(150, 175)], 25)
    x, y = ex.cdf(df["downtime_ms"])
    assert all(a <= b for a, b in zip(x, x[1:]))
    assert all(a < b for a, b in zip(y, y[1:]))
    assert y[-1] == pytest.approx(100.0)
    x, y = ex.cdf([300.0, math.inf, 100.0, 200.0])
    assert x == [100.0, 200.0, 300.0]
    assert y == [25.0, 50.0, 75.0]
    assert ex.cdf([math.inf]) == ([], [])


def test_figure16_table_and_comparison_come_from_the_run():
    df = ex.figure16(4, 1)
    assert list(dict.fromkeys(df["timeout"])) == [ex.label(line) for line in ex.FIGURE16]
    assert len(ex.FIGURE16) == 10 and len(df) == 4 * 9 + 1
    table = ex.summary(df)
    comparison = ex.compare_with_paper(df)
    assert len(comparison) == len(ex.PAPER_REPORTED)
    for row in comparison.itertuples():
        assert row.simulator_ms == table.loc[row.timeout, f"{row.statistic}_ms"]
    assert comparison.loc[comparison["statistic"] == "median", "paper_ms"].item() == 287.0
    fig = ex.plot_figure16(df)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_xscale() == "log"
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "150-150ms (no leader in any trial)" in labels


def test_command_line_prints_the_table(capsys):
    assert ex.main(["--trials", "2", "--processes", "1"]) == 0
    out = capsys.readouterr().out
    assert "150-155ms" in out and "median" in out and "wall time" in out


@pytest.mark.parametrize("timeout", [(300, 150), (0, 0), (-5, 10), "150-300", (150,), None,
                                     (150, math.inf)])
def test_bad_timeouts_are_refused(timeout):
    with pytest.raises(rl.ConfigError, match="election timeout"):
        ex.run_trial(timeout, seed=0)


@pytest.mark.parametrize("kwargs, match", [
    ({"log_lengths": (1, 5, 5, 5, 5)}, "S1"),
    ({"log_lengths": (3, 3)}, "log_lengths"),
    ({"log_lengths": [3, 3, 3]}, "log_lengths"),
    ({"horizon": 0}, "horizon"),
    ({"horizon": math.inf}, "horizon"),
    ({"timer_jitter": -0.001}, "timer_jitter"),
    ({"warmup_heartbeats": 0}, "warmup_heartbeats"),
    ({"latency": (0.002, 0.001)}, "latency"),
])
def test_bad_setups_are_refused(kwargs, match):
    with pytest.raises(rl.ConfigError, match=match):
        ex.run_trial((150, 300), seed=0, setup=ex.Setup(**kwargs))


def test_bad_counts_and_arguments_are_refused():
    with pytest.raises(rl.ConfigError, match="trials"):
        ex.figure16(0)
    with pytest.raises(rl.ConfigError, match="trials for 150-300ms"):
        ex.run_lines([(150, 300)], {(150, 200): 3})
    with pytest.raises(rl.ConfigError, match="processes"):
        ex.run_lines([(150, 300)], 1, processes=0)
    with pytest.raises(rl.ConfigError, match="at least one"):
        ex.run_lines([], 1)
    with pytest.raises(rl.ConfigError, match="Setup"):
        ex.run_lines([(150, 300)], 1, setup={"horizon": 5})
    with pytest.raises(rl.ConfigError, match="at least one"):
        ex.cdf([])
    with pytest.raises(rl.ConfigError, match="NaN"):
        ex.cdf([float("nan")])


def test_timeouts_too_short_for_the_network_are_reported():
    with pytest.raises(rl.RaftlibError, match="broadcast time"):
        ex.run_trial((1, 2), seed=0, attempts=3)


# ------------------------------------------------------------ the shipped full run
def test_the_shipped_full_run_is_complete_and_reproducible():
    full = ex.load_full()
    assert list(full.columns) == list(ex.TRIAL_COLUMNS) and len(full) == 9100
    counts = full.groupby("timeout").size().to_dict()
    assert counts == {ex.label(line): (100 if line == (150, 150) else 1000) for line in ex.FIGURE16}
    assert full.loc[full.downtime_ms == math.inf, "leader"].isna().all()
    # the file is what the engine computes: replay a few trials, including one that never ends
    for line, index in (((150, 200), 7), ((12, 24), 999), ((150, 155), 123)):
        row = full[(full.timeout == ex.label(line)) & (full.trial == index)].iloc[0]
        trial = ex.run_trial(line, 0, index=index)
        assert trial.downtime * 1000 == pytest.approx(row.downtime_ms, abs=1e-6)
        assert (trial.terms, trial.leader) == (row.terms, row.leader)


def test_load_full_names_a_missing_or_malformed_file(tmp_path):
    with pytest.raises(rl.ConfigError, match="--full --save"):
        ex.load_full(tmp_path / "nothing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(rl.ConfigError, match="must have the columns"):
        ex.load_full(bad)


def test_save_writes_every_trial(tmp_path, capsys):
    out = tmp_path / "trials.csv"
    assert ex.main(["--trials", "2", "--processes", "1", "--save", str(out)]) == 0
    saved = ex.load_full(out)
    assert len(saved) == 9 * 2 + 1 and "trials saved to" in capsys.readouterr().out
