"""Relance: self-hostable dunning that gets businesses paid."""

__version__ = "0.1.0"
