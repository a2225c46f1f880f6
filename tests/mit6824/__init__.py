"""A port of the MIT 6.824 Raft lab tests (parts 2A, 2B, 2C) to raftlib's simulator."""
