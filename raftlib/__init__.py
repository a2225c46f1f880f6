"""raftlib: Raft on a deterministic simulator, for the raft-course notebooks.

``import raftlib as rl`` loads only the engine and the simulator; pandas,
matplotlib and ipywidgets load when a table, plot or widget is first asked for.
"""

from .cluster import TIMINGS, Cluster
from .core import (CANDIDATE, FOLLOWER, LEADER, NOOP, AppendEntries, AppendEntriesReply, Entry,
                   PersistentState, RaftNode, RequestVote, RequestVoteReply)
from .errors import ConfigError, RaftlibError, SafetyViolation, UnknownServerError
from .kv import Client, KVStore, Op
from .sim import Event, InFlight, Network, Simulation, Stats

__version__ = "0.1.0"

__all__ = ["AppendEntries", "AppendEntriesReply", "CANDIDATE", "Client", "Cluster", "ConfigError",
           "Entry", "Event", "FOLLOWER", "InFlight", "KVStore", "LEADER", "NOOP", "Network", "Op",
           "PersistentState", "RaftNode", "RaftlibError", "RequestVote", "RequestVoteReply",
           "SafetyViolation", "Simulation", "Stats", "TIMINGS", "UnknownServerError"]
