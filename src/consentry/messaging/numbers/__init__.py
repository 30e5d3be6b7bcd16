"""The account's phone numbers and whether each can send."""
