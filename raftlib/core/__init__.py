"""The Raft core: a pure state machine that imports nothing of the simulator."""

from .messages import (REPLY_TYPES, REQUEST_TYPES, AppendEntries, AppendEntriesReply, Entry,
                       PreVote, PreVoteReply, RequestVote, RequestVoteReply)
from .node import CANDIDATE, FOLLOWER, LEADER, NOOP, PersistentState, RaftNode

__all__ = ["AppendEntries", "AppendEntriesReply", "CANDIDATE", "Entry", "FOLLOWER", "LEADER",
           "NOOP", "PersistentState", "PreVote", "PreVoteReply", "REPLY_TYPES", "REQUEST_TYPES", "RaftNode", "RequestVote",
           "RequestVoteReply"]
