"""The deterministic simulator: clock, events, network and faults. Knows nothing of Raft."""

from .network import Network
from .simulation import Event, InFlight, Simulation, Stats

__all__ = ["Event", "InFlight", "Network", "Simulation", "Stats"]
