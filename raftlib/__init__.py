"""raftlib: Raft on a deterministic simulator, for the raft-course notebooks.

``import raftlib as rl`` loads only the engine and the simulator; pandas,
matplotlib and ipywidgets load when a table, plot or widget is first asked for.
"""

from .cluster import TIMINGS, Cluster
from .core import (CANDIDATE, FOLLOWER, LEADER, NOOP, AppendEntries, AppendEntriesReply, Entry,
                   PersistentState, RaftNode, RequestVote, RequestVoteReply)
from .errors import (CommandFailed, ConfigError, InvalidCommandError, MissingPackage,
                     RaftlibError, ReentrantRunError, SafetyViolation, StaleClientError,
                     UnknownServerError)
from .explore import explore  # the function shadows its subpackage's name on purpose
from .kv import Client, KVStore, Op
from .optional import install as _install_pyodide_finder
from .sim import Event, InFlight, Network, Simulation, Stats

_install_pyodide_finder()  # in the browser only: pandas, matplotlib loaded on first use

__version__ = "0.1.0"

# Loaded on first use, so that `import raftlib` stays light (no pandas, matplotlib, ipywidgets).
_LAZY = {
    "show": ("raftlib.widgets", "show"),
    "ClusterView": ("raftlib.widgets", "ClusterView"),
    "Tour": ("raftlib.widgets", "Tour"),
    "TourStep": ("raftlib.widgets", "TourStep"),
    "set_language": ("raftlib.i18n", "set_language"),
    "get_language": ("raftlib.i18n", "get_language"),
    "tr": ("raftlib.i18n", "tr"),
    "PrimaryBackup": ("raftlib.primary_backup", "PrimaryBackup"),
    "glossary": ("raftlib.glossary", None),
    "plots": ("raftlib.plots", None),
    "tables": ("raftlib.tables", None),
    "experiments": ("raftlib.experiments", None),
    "scenarios": ("raftlib.scenarios", None),
    "replay": ("raftlib.replay", None),
    "faults": ("raftlib.faults", None),
    "bugs": ("raftlib.bugs", None),
    "linearizability": ("raftlib.linearizability", None),
    "predict": ("raftlib.widgets.predict", "predict"),
    "tours": ("raftlib.tours", None),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'raftlib' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value

__all__ = ["AppendEntries", "AppendEntriesReply", "CANDIDATE", "Client", "Cluster", "CommandFailed",
           "ConfigError", "Entry", "Event", "explore", "FOLLOWER", "InFlight",
           "InvalidCommandError", "KVStore", "LEADER", "MissingPackage", "NOOP", "Network", "Op",
           "PersistentState", "RaftNode", "RaftlibError", "ReentrantRunError", "RequestVote",
           "RequestVoteReply", "SafetyViolation", "Simulation", "StaleClientError", "Stats",
           "TIMINGS", "UnknownServerError", *_LAZY]
