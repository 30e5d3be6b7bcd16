"""The loopback carrier (the default): a simulator with a durable record, receipts and faults."""

from consentry.carriers.loopback.carrier import TEST_NUMBERS, LoopbackCarrier, TestNumber

__all__ = ["TEST_NUMBERS", "LoopbackCarrier", "TestNumber"]
