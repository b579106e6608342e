"""Figures for managers: queries that load frames, pandas that computes them, records and chart JSON.

The screens live in app.reports and the command in app.cli; this area has no blueprint of its own.
"""
