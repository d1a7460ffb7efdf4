"""Live updates: change-stream events fanned out to streams, and agents' presence."""
