"""The interactive cluster widget: ``rl.show(c)`` or ``c.widget()``.

- :mod:`.view`: :class:`ClusterView` (controls, time travel, scenarios) and :func:`show`;
- :mod:`.drawing`: the SVG picture (servers, messages, logs);
- :mod:`.inspector`: the server / message / recent-events panels.
"""

from .view import ClusterView, show

__all__ = ["ClusterView", "show"]
