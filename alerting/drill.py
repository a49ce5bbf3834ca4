"""The drill clock kept with the data: start one, continue one, change its speed."""

from __future__ import annotations

import logging
import time

from sqlalchemy.orm import Session, sessionmaker

from yuqing.clock import ScaledClock
from yuqing.storage.models import ClockState

log = logging.getLogger(__name__)


def drill_clock(sessions: sessionmaker[Session], scale: float | None, real: float | None = None) -> ScaledClock | None:
    """The scaled clock for this data dir, or None when it never ran a drill and none is asked for.

    * a new drill starts at the real present;
    * a data dir that holds a drill continues it where its timeline is now (at the new
      scale, if one is given: re-anchored so that simulated time never jumps);
    * a data dir with no drill and no scale runs on the system clock.
    """
    real = time.time() if real is None else real
    with sessions.begin() as session:
        state = session.get(ClockState, 1)
        if state is None:
            if scale is None:
                return None
            state = ClockState(id=1, origin_real=real, origin_sim=real, scale=scale)
            session.add(state)
            log.warning("DRILL (演练): the clock runs %g× real time from now; this data dir stays a drill", scale)
        else:
            old = ScaledClock(state.origin_real, state.origin_sim, state.scale, real=lambda: real)
            if scale is not None and scale != state.scale:
                state.origin_sim, state.origin_real, state.scale = old.sim_epoch(), real, scale
            log.warning(
                "DRILL (演练): continuing this data dir's drill at %g× (simulated now %s)",
                state.scale,
                old.now().isoformat(timespec="seconds"),
            )
        return ScaledClock(state.origin_real, state.origin_sim, state.scale)
