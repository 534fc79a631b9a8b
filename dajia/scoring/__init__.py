"""Scoring: the pure engine that turns score sheets into results."""
