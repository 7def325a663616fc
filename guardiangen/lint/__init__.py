"""Linters for generated and foreign artefacts (rules, dashboards)."""
