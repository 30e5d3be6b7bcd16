"""Hosted opt-in pages: a public, per-campaign consent form that records proof of opt-in."""
