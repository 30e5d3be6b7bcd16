"""Telling the loopback carrier to fail (failure rules per destination, flush only), and reading
what it recorded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from consentry.carriers.loopback.models import LoopbackFailureRule, LoopbackSubmission

__all__ = ["clear_failure_rule", "list_failure_rules", "set_failure_rule", "submissions_of"]


def set_failure_rule(
    session: Session,
    *,
    to_number: str,
    error_code: str,
    permanent: bool,
    stage: str,
    count: int | None,
    now: datetime,
) -> LoopbackFailureRule:
    """Make messages to `to_number` fail (replacing any earlier rule for it)."""
    rule = session.get(LoopbackFailureRule, to_number)
    if rule is None:
        rule = LoopbackFailureRule(to_number=to_number, created_at=now)
        session.add(rule)
    rule.error_code = error_code
    rule.permanent = permanent
    rule.stage = stage
    rule.remaining = count
    rule.created_at = now
    session.flush()
    return rule


def clear_failure_rule(session: Session, *, to_number: str) -> bool:
    """Remove the rule for `to_number`; whether there was one."""
    result = session.execute(
        delete(LoopbackFailureRule).where(LoopbackFailureRule.to_number == to_number)
    )
    return bool(getattr(result, "rowcount", 0))


def list_failure_rules(session: Session) -> Sequence[LoopbackFailureRule]:
    """Every failure rule, by destination."""
    return session.scalars(
        select(LoopbackFailureRule).order_by(LoopbackFailureRule.to_number)
    ).all()


def submissions_of(session: Session, *, message_id: str) -> Sequence[LoopbackSubmission]:
    """What the carrier recorded for one message id, oldest first (one row unless sent twice)."""
    return session.scalars(
        select(LoopbackSubmission)
        .where(LoopbackSubmission.message_id == message_id)
        .order_by(LoopbackSubmission.id)
    ).all()
