"""Budget: frames, changes, outcomes and forecasts (built in the budget issue)."""
