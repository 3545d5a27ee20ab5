"""Checks: pure rules over reports (and, in `history`/`deadlines`, over years and dates) -> findings."""
