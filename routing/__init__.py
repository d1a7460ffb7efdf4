"""Routing: which department and agent own a conversation, and why. Pure: no I/O, no clock reads.

The hub gathers a snapshot (model.py), calls engine.decide(), applies the Decision (decision.py) and
stores decision.explanation.as_dict() in the timeline. language.py is the only module that needs lingua.
"""

from routing.decision import Decision, Explanation
from routing.engine import decide

__all__ = ["Decision", "Explanation", "decide"]
