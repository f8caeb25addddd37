"""Follow-up: the årshjul, submissions, roll-up and reports (built in the follow-up issue)."""
