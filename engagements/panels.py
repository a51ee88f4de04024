"""Extension points for the engagement and session pages.

Apps above `engagements` (fieldwork, stakeholders) add a panel to these pages without
`engagements` importing them: each registers, in its `AppConfig.ready()`, a function
`panel(request, obj) -> Panel | None`. A panel function must run a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50


PanelFn = Callable[..., Panel | None]
_engagement_panels: list[PanelFn] = []
_session_panels: list[PanelFn] = []


def register_engagement_panel(fn: PanelFn) -> PanelFn:
    if fn not in _engagement_panels:
        _engagement_panels.append(fn)
    return fn


def register_session_panel(fn: PanelFn) -> PanelFn:
    if fn not in _session_panels:
        _session_panels.append(fn)
    return fn


def _collect(fns: list[PanelFn], request, obj) -> list[Panel]:
    panels = [p for p in (fn(request, obj) for fn in fns) if p is not None]
    return sorted(panels, key=lambda p: p.order)


def engagement_panels(request, engagement) -> list[Panel]:
    return _collect(_engagement_panels, request, engagement)


def session_panels(request, session) -> list[Panel]:
    return _collect(_session_panels, request, session)
