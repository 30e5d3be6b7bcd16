"""Messaging: numbers, messages, conversations, segments and encoding, the send pipeline."""
