"""A cluster's state and history as pandas DataFrames.

Column names are the same everywhere and follow Figure 2 of the Raft paper:

=================  ============================================================
``time``           virtual time in seconds (``start``/``end`` for intervals)
``server``         a server id ("S1"); ``peer`` the other side of a message
``src``, ``dst``   sender and receiver of a message
``type``           message type name (RequestVote, AppendEntries, ...)
``kind``           colour group of a message: as ``type``, but AppendEntries
                   without entries is "Heartbeat" and client traffic "Client"
``term``           a term (of a message, an entry or a server)
``index``          a log index (1 is the first entry)
``role``           "follower", "candidate", "leader", or "crashed"
Figure 2 names     ``current_term``, ``voted_for``, ``commit_index``,
                   ``last_applied``, ``next_index``, ``match_index``
=================  ============================================================

    >>> import raftlib as rl
    >>> c = rl.Cluster(3, seed=1); c.run(1.0)
    >>> list(rl.tables.servers(c).columns[:4])
    ['server', 'up', 'role', 'current_term']
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, Any, Iterable

import pandas as pd

from . import describe
from .core import CANDIDATE, FOLLOWER, LEADER
from .errors import ConfigError
from .palette import message_kind
from .validate import check_cluster, check_names, check_number

if TYPE_CHECKING:
    from .cluster import Cluster

TRACE_COLUMNS = ["time", "event", "server", "peer", "type", "term", "sent_at", "detail"]
SERVER_COLUMNS = ["server", "up", "role", "current_term", "voted_for", "leader_id",
                  "last_log_index", "last_log_term", "commit_index", "last_applied", "votes",
                  "election_due"]
ENTRY_COLUMNS = ["server", "index", "term", "command", "committed"]
PEER_COLUMNS = ["leader", "term", "peer", "next_index", "match_index"]
MESSAGE_COLUMNS = ["type", "sent", "delivered", "dropped", "bytes"]
TRAFFIC_COLUMNS = ["server", "sent", "bytes", "received"]
IN_FLIGHT_COLUMNS = ["id", "type", "kind", "src", "dst", "term", "sent_at", "arrives_at",
                     "summary"]
ROLE_COLUMNS = ["server", "start", "end", "role", "term"]
APPEND_COLUMNS = ["time", "src", "dst", "term", "prev_log_index", "prev_log_term", "entries",
                  "entry_terms", "leader_commit", "success", "match_index", "conflict_index",
                  "conflict_term", "replied_at"]
VOTE_COLUMNS = ["time", "candidate", "voter", "term", "last_log_index", "last_log_term",
                "granted", "replied_at"]
COMMIT_COLUMNS = ["time", "server", "index", "term", "command"]
LOG_VALUES = ("term", "command", "entry")
UNKNOWN = "unknown"  # a role before the first row kept by a trace_limit


def _servers(c: "Cluster", servers: Iterable[str] | None) -> list[str]:
    check_cluster(c, "c")
    if servers is None:
        return list(c.nodes)
    if isinstance(servers, (str, bytes)) or not hasattr(servers, "__iter__"):
        raise ConfigError(f"servers must be a list of server ids, e.g. ['S1'], got {servers!r}")
    out = list(servers)
    for s in out:
        c[s]  # raises UnknownServerError naming the servers
    return out


def trace(c: "Cluster", events: Iterable[str] | None = None, *, start: float = 0.0,
          end: float | None = None) -> pd.DataFrame:
    """Every event of the run (one row each, columns :data:`TRACE_COLUMNS`), optionally only
    the ``events`` named (e.g. ``["role", "crash"]``) and those between ``start`` and ``end``.

    ``event`` is deliver, drop, duplicate, timer, role, apply, submit, crash, restart,
    disconnect, connect, partition, cut, heal or client_send; for messages ``server`` is
    the receiver and ``peer`` the sender. With a ``trace_limit`` only the rows kept are
    there: ``df.attrs["trace_dropped"]`` says how many older rows were dropped.
    """
    check_cluster(c, "c")
    start = check_number("start", start, low=-math.inf)
    end = None if end is None else check_number("end", end, low=-math.inf)
    if events is not None:
        events = check_names("events", events, c.TRACE_EVENTS)
    df = pd.DataFrame.from_records(c.trace_rows(), columns=TRACE_COLUMNS)
    df.attrs["trace_dropped"] = c.trace_dropped
    keep = df["time"] >= start
    if end is not None:
        keep &= df["time"] <= end
    if events is not None:
        keep &= df["event"].isin(events)
    return df[keep].reset_index(drop=True)


def servers(c: "Cluster") -> pd.DataFrame:
    """One row per server (columns :data:`SERVER_COLUMNS`): its Figure 2 state now.

    ``votes`` counts the votes a candidate (or leader) received in its term;
    ``election_due`` is when its election timer fires (NaN if none is running).
    """
    check_cluster(c, "c")
    rows = []
    for s in c.nodes:
        n = c[s]
        due = c.timers.get((s, "election"))
        rows.append([s, c.up[s], n.role if c.up[s] else "crashed", n.current_term, n.voted_for,
                     n.leader_id, n.last_log_index, n.last_log_term, n.commit_index,
                     n.last_applied, len(n.votes_received) if n.role != FOLLOWER else 0,
                     due[1] if due else float("nan")])
    return pd.DataFrame(rows, columns=SERVER_COLUMNS)


def entries(c: "Cluster", servers: Iterable[str] | None = None) -> pd.DataFrame:
    """Every log entry of every server, one row each (columns :data:`ENTRY_COLUMNS`);
    ``committed`` is ``index <= commit_index`` of that server."""
    rows = []
    for s in _servers(c, servers):
        n = c[s]
        rows.extend([s, i, e.term, describe.command(e.command), i <= n.commit_index]
                    for i, e in enumerate(n.log, start=1))
    return pd.DataFrame(rows, columns=ENTRY_COLUMNS)


def logs(c: "Cluster", value: str = "term", servers: Iterable[str] | None = None) -> pd.DataFrame:
    """The logs side by side: one row per log ``index``, one column per server.

    ``value`` is "term" (the entry's term), "command" or "entry" ("t2 put x=1").
    A server whose log is shorter has a missing value (``<NA>``/None) there.
    """
    if value not in LOG_VALUES:
        raise ConfigError(f"value must be one of {', '.join(LOG_VALUES)}, got {value!r}")
    ids = _servers(c, servers)
    longest = max((c[s].last_log_index for s in ids), default=0)
    columns = {}
    for s in ids:
        log = c[s].log
        if value == "term":
            cells = [e.term for e in log]
        elif value == "command":
            cells = [describe.command(e.command) for e in log]
        else:
            cells = [f"t{e.term} {describe.command(e.command)}" for e in log]
        cells += [None] * (longest - len(cells))
        columns[s] = pd.array(cells, dtype="Int64" if value == "term" else object)
    return pd.DataFrame(columns, index=pd.RangeIndex(1, longest + 1, name="index"))


def _request_rows(c: "Cluster", request: type, reply: type, src: str | None,
                  dst: str | None) -> list[tuple]:
    """Each delivered ``request`` (optionally only from ``src`` / to ``dst``) as
    ``(time, request, replied_at, reply)``: the reply is the first one its receiver sent
    back at or after the delivery (``None, None`` if no reply was delivered)."""
    for sid in (src, dst):
        if sid is not None:
            _servers(c, [sid])
    delivered = c.deliveries()
    replies: dict[tuple[str, str], list[tuple[float, float, Any]]] = {}
    for time, sent, m in delivered:
        if type(m) is reply:
            replies.setdefault((m.src, m.dst), []).append((sent, time, m))
    for found in replies.values():
        found.sort(key=lambda r: r[0])
    rows = []
    for time, _sent, m in delivered:
        if type(m) is not request or (src and m.src != src) or (dst and m.dst != dst):
            continue
        found = replies.get((m.dst, m.src), [])
        k = bisect.bisect_left(found, time, key=lambda r: r[0])
        rows.append((time, m, *(found[k][1:] if k < len(found) else (None, None))))
    return rows


def append_entries(c: "Cluster", *, src: str | None = None, dst: str | None = None,
                   heartbeats: bool = True) -> pd.DataFrame:
    """Every delivered AppendEntries, one typed column per Figure 2 field (columns
    :data:`APPEND_COLUMNS`), with the follower's reply beside it.

    ``entries`` counts the entries carried and ``entry_terms`` lists their terms;
    ``success``, ``match_index``, ``conflict_index``, ``conflict_term`` and ``replied_at``
    come from the reply the leader received (``<NA>`` if none arrived). ``heartbeats=False``
    leaves out the AppendEntries that carry no entries.
    """
    from .core import AppendEntries, AppendEntriesReply

    rows = []
    for time, m, replied_at, r in _request_rows(c, AppendEntries, AppendEntriesReply, src, dst):
        if not heartbeats and not m.entries:
            continue
        rows.append([time, m.src, m.dst, m.term, m.prev_log_index, m.prev_log_term,
                     len(m.entries), [e.term for e in m.entries], m.leader_commit,
                     None if r is None else r.success,
                     None if r is None or not r.success else r.match_index,
                     None if r is None else r.conflict_index,
                     None if r is None else r.conflict_term, replied_at])
    df = pd.DataFrame(rows, columns=APPEND_COLUMNS)
    for col in ("term", "prev_log_index", "prev_log_term", "entries", "leader_commit",
                "match_index", "conflict_index", "conflict_term"):
        df[col] = df[col].astype("Int64")
    df["success"] = df["success"].astype("boolean")
    return df


def votes(c: "Cluster", *, term: int | None = None) -> pd.DataFrame:
    """Every delivered RequestVote (columns :data:`VOTE_COLUMNS`) with the voter's answer:
    ``granted`` is ``<NA>`` if no reply reached the candidate. ``term`` keeps one term only."""
    from .core import RequestVote, RequestVoteReply

    rows = [[time, m.src, m.dst, m.term, m.last_log_index, m.last_log_term,
             None if r is None else r.vote_granted, replied_at]
            for time, m, replied_at, r in _request_rows(c, RequestVote, RequestVoteReply,
                                                       None, None)
            if term is None or m.term == term]
    df = pd.DataFrame(rows, columns=VOTE_COLUMNS)
    df["granted"] = df["granted"].astype("boolean")
    return df


def commits(c: "Cluster", servers: Iterable[str] | None = None) -> pd.DataFrame:
    """When each server applied each entry (columns :data:`COMMIT_COLUMNS`): one row per
    applied index, in the order the servers applied them."""
    ids = set(_servers(c, servers))
    rows = []
    applied_up_to = {s: 0 for s in c.nodes}
    for time, event, server, _peer, _type, _term, _sent, detail in c.trace_rows():
        if event == "restart" and server in applied_up_to:
            applied_up_to[server] = 0
        if event != "apply" or server not in ids:
            continue
        for index in range(applied_up_to[server] + 1, detail + 1):
            entry = c[server].log[index - 1] if index <= c[server].last_log_index else None
            rows.append([time, server, index, None if entry is None else entry.term,
                         None if entry is None else describe.command(entry.command)])
        applied_up_to[server] = detail
    df = pd.DataFrame(rows, columns=COMMIT_COLUMNS)
    df["term"] = df["term"].astype("Int64")
    return df


def peers(c: "Cluster", leader: str | None = None) -> pd.DataFrame:
    """The leader's next_index and match_index for each peer (columns :data:`PEER_COLUMNS`).

    ``leader`` defaults to every running server that is a leader now (a partition can
    leave two). Empty if there is none.
    """
    check_cluster(c, "c")
    if leader is not None:
        c[leader]  # raises UnknownServerError naming the servers
    leaders = [leader] if leader is not None else [s for s in c.nodes
                                                   if c.up[s] and c[s].role == LEADER]
    rows = []
    for s in leaders:
        n = c[s]
        if n.role != LEADER:
            raise ConfigError(f"{s} is a {n.role}; only a leader keeps next_index and "
                              f"match_index (the leaders now: {c.leader() or 'none'})")
        rows.extend([s, n.current_term, p, n.next_index[p], n.match_index[p]] for p in n.peers)
    return pd.DataFrame(rows, columns=PEER_COLUMNS)


def message_stats(c: "Cluster") -> pd.DataFrame:
    """Counts per message type (columns :data:`MESSAGE_COLUMNS`), sorted by type;
    ``bytes`` are bytes sent."""
    check_cluster(c, "c")
    st = c.stats
    names = sorted(set(st.sent) | set(st.delivered) | set(st.dropped))
    rows = [[t, st.sent.get(t, 0), st.delivered.get(t, 0), st.dropped.get(t, 0),
             st.bytes.get(t, 0)] for t in names]
    return pd.DataFrame(rows, columns=MESSAGE_COLUMNS)


def server_traffic(c: "Cluster") -> pd.DataFrame:
    """Per server (columns :data:`TRAFFIC_COLUMNS`): messages and bytes it sent, and the
    requests delivered to its handlers (``received``, like labrpc's GetCount)."""
    check_cluster(c, "c")
    st = c.stats
    rows = [[s, st.sent_by.get(s, 0), st.bytes_by.get(s, 0), st.rpc_count(s)] for s in c.nodes]
    return pd.DataFrame(rows, columns=TRAFFIC_COLUMNS)


def in_flight(c: "Cluster") -> pd.DataFrame:
    """The messages on the wire now, soonest first (columns :data:`IN_FLIGHT_COLUMNS`);
    ``id`` is what ``c.drop``/``c.duplicate``/``c.deliver_now`` take."""
    check_cluster(c, "c")
    rows = [[m.id, type(m.message).__name__, message_kind(m.message), m.message.src,
             m.message.dst, getattr(m.message, "term", None), m.sent_at, m.arrives_at,
             describe.message(m.message)] for m in c.in_flight()]
    return pd.DataFrame(rows, columns=IN_FLIGHT_COLUMNS)


def roles(c: "Cluster") -> pd.DataFrame:
    """Each server's role and current_term over time, as intervals (columns :data:`ROLE_COLUMNS`).

    Rebuilt from the trace with Figure 2's rules: a follower's or candidate's election
    timeout starts a new term; a message with a higher term is adopted; role changes
    and crashes are traced. ``role`` is "crashed" while a server is down. The last row
    of each server is its state now. If a ``trace_limit`` dropped older rows, the
    intervals start at the first row kept, in role "unknown" (term -1) until the
    trace shows a server's role; ``df.attrs["trace_dropped"]`` counts the dropped rows.
    """
    check_cluster(c, "c")
    rows_kept = c.trace_rows()
    dropped = c.trace_dropped
    first = rows_kept[0][0] if dropped and rows_kept else 0.0
    role = {s: UNKNOWN if dropped else FOLLOWER for s in c.nodes}
    term = {s: -1 if dropped else 0 for s in c.nodes}
    up = {s: True for s in c.nodes}
    since = {s: first for s in c.nodes}
    rows: dict[str, list[list]] = {s: [] for s in c.nodes}

    def change(s: str, time: float, new_role: str, new_term: int, new_up: bool) -> None:
        if (new_role, new_term, new_up) == (role[s], term[s], up[s]):
            return
        if time > since[s]:
            rows[s].append([s, since[s], time, role[s] if up[s] else "crashed", term[s]])
        role[s], term[s], up[s], since[s] = new_role, new_term, new_up, time

    for time, event, server, _peer, _type, msg_term, _sent, detail in rows_kept:
        if server not in role:
            continue  # a client
        if event == "deliver" and msg_term is not None and msg_term > term[server]:
            change(server, time, role[server], msg_term, True)
        elif event == "timer" and str(detail).startswith("election") and role[server] in (
                FOLLOWER, CANDIDATE):
            change(server, time, role[server], term[server] + 1, True)
        elif event == "role":
            change(server, time, detail, term[server], True)
        elif event == "crash":
            change(server, time, role[server], term[server], False)
        elif event == "restart":
            change(server, time, FOLLOWER, term[server], True)
    for s in c.nodes:  # the last row of each server is its state now (maybe zero-length)
        if c.now > since[s] or not rows[s] or rows[s][-1][3:] != [
                role[s] if up[s] else "crashed", term[s]]:
            rows[s].append([s, since[s], c.now, role[s] if up[s] else "crashed", term[s]])
    df = pd.DataFrame([r for s in c.nodes for r in rows[s]], columns=ROLE_COLUMNS)
    df.attrs["trace_dropped"] = dropped
    return df
