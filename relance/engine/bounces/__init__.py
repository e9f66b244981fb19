"""Bounce, complaint and auto-reply classification (pure: bytes in, a Verdict out)."""

from relance.engine.bounces.classifier import AUTO_REPLY, COMPLAINT, HARD, NOT_BOUNCE, SOFT, Verdict, classify

__all__ = ["AUTO_REPLY", "COMPLAINT", "HARD", "NOT_BOUNCE", "SOFT", "Verdict", "classify"]
