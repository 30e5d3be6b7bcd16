"""Consent: proof of every opt-in, opt-outs, and keyword handling (STOP/HELP/START)."""
