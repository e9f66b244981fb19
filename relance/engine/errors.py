from __future__ import annotations


class InvalidInput(ValueError):
    """Input a user gave us that we refuse: the message names what is wrong and where."""
