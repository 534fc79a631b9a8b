"""Scoring: the pure engine that turns score sheets into results (no Django in engine/sheetfile/diagnostics)."""
