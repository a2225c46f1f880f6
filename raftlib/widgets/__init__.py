"""The interactive cluster widget: ``rl.show(c)`` or ``c.widget()``, and guided tours.

- :mod:`.view`: :class:`ClusterView` (an anywidget; the browser side is ``static/cluster.js``)
  and :func:`show`;
- :mod:`.state`: the cluster's state as the JSON data the browser draws;
- :mod:`.tour`: :class:`Tour` and :class:`TourStep`, a scripted scenario with captions.
"""

from .tour import Tour, TourStep
from .view import ClusterView, show

__all__ = ["ClusterView", "Tour", "TourStep", "show"]
