"""What a rule may know beyond the text itself: the brand, the use case, the message's role."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from typing import Any

from consentry.compliance.errors import CheckInputError

__all__ = ["CONTEXT_KEYS", "Context", "MessageRole"]


class MessageRole(StrEnum):
    MESSAGE = "message"
    OPT_IN_CONFIRMATION = "opt_in_confirmation"
    OPT_OUT_REPLY = "opt_out_reply"
    HELP_REPLY = "help_reply"


# Use cases whose messages are one-time passcodes: exempt from STOP/HELP in samples and opt-ins.
OTP_USE_CASES = frozenset({"2FA"})

CONTEXT_KEYS = frozenset(
    {
        "use_case",
        "sub_use_cases",
        "message_role",
        "website",
        "business_description",
        "age_gated",
        "vertical",
        "company",
        "brand_names",
        "opt_in_method",
        "form_html",
        "campaign_description",
        "sample_messages",
    }
)


@lru_cache(maxsize=256)
def _brands(company: str | None, brand_names: tuple[str, ...]) -> tuple[str, ...]:
    names: list[str] = []
    for name in (company, *brand_names):
        if name and name.strip() and name.strip() not in names:
            names.append(name.strip())
    return tuple(names)


@dataclass(frozen=True, slots=True)
class Context:
    """Context for context-dependent rules. Unknown fields stay None: rules then say so."""

    company: str | None = None
    brand_names: tuple[str, ...] = ()
    use_case: str | None = None
    sub_use_cases: tuple[str, ...] = ()
    message_role: MessageRole | None = None
    website: str | None = None
    business_description: str | None = None
    age_gated: bool | None = None
    vertical: str | None = None
    opt_in_method: str | None = None
    form_html: str | None = None
    campaign_description: str | None = None
    sample_messages: tuple[str, ...] = field(default=())

    @property
    def brands(self) -> tuple[str, ...]:
        """Every name the sender may go by (company first), without blanks or repeats."""
        # Rules read this dozens of times per application: computed once per set of names.
        return _brands(self.company, tuple(self.brand_names))

    @property
    def is_otp(self) -> bool:
        """True when the messages are one-time passcodes (2FA), exempt from STOP/HELP."""
        cases = {self.use_case, *self.sub_use_cases} - {None}
        return bool(cases) and cases <= OTP_USE_CASES

    def with_(self, **changes: Any) -> Context:
        """A copy with some fields changed."""
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None, *, company: str | None = None) -> Context:
        """Build a context from `--context-json` / API input; unknown keys are an error."""
        data = dict(data or {})
        unknown = sorted(set(data) - CONTEXT_KEYS)
        if unknown:
            raise CheckInputError(
                "CONTEXT_UNKNOWN_KEY",
                f"Unknown context key(s): {', '.join(unknown)}.",
                fix=f"Use only: {', '.join(sorted(CONTEXT_KEYS))}.",
            )
        role = data.get("message_role")
        if role is not None:
            try:
                role = MessageRole(role)
            except ValueError:
                raise CheckInputError(
                    "CONTEXT_INVALID",
                    f"message_role {role!r} is not one of "
                    f"{', '.join(m.value for m in MessageRole)}.",
                    fix="Pick one of the listed roles.",
                ) from None
        age_gated = data.get("age_gated")
        if age_gated is not None and not isinstance(age_gated, bool):
            raise CheckInputError(
                "CONTEXT_INVALID", "age_gated must be true or false.", fix="Use a JSON boolean."
            )
        for key in ("sub_use_cases", "brand_names", "sample_messages"):
            value = data.get(key)
            if value is not None and (
                not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value)
            ):
                raise CheckInputError(
                    "CONTEXT_INVALID", f"{key} must be a list of strings.", fix="Use a JSON array."
                )
        for key in (
            "use_case",
            "website",
            "business_description",
            "vertical",
            "company",
            "opt_in_method",
            "form_html",
            "campaign_description",
        ):
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                raise CheckInputError(
                    "CONTEXT_INVALID", f"{key} must be a string.", fix="Use a JSON string."
                )
        use_case = data.get("use_case")
        return cls(
            company=company or data.get("company"),
            brand_names=tuple(data.get("brand_names") or ()),
            use_case=use_case.upper() if isinstance(use_case, str) else None,
            sub_use_cases=tuple(s.upper() for s in data.get("sub_use_cases") or ()),
            message_role=role,
            website=data.get("website"),
            business_description=data.get("business_description"),
            age_gated=age_gated,
            vertical=data.get("vertical"),
            opt_in_method=data.get("opt_in_method"),
            form_html=data.get("form_html"),
            campaign_description=data.get("campaign_description"),
            sample_messages=tuple(data.get("sample_messages") or ()),
        )
