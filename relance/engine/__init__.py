"""Pure domain logic: no Django, no I/O, no clock. Every function takes the day it reasons about."""
