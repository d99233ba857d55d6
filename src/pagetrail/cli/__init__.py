"""Typer command line: one module per command group, one Rich console wrapper."""
