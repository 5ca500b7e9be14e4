"""Where the password is made or reset, added to the findings that need it (provider data): the
causes marked `password_page = true` in data/knowledge/causes/."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from maildoctor.facts import SettingsKnowledge
from maildoctor.knowledge_data import causes_marked
from maildoctor.model import Finding


def with_password_page(findings: Sequence[Finding], settings: SettingsKnowledge | None) -> list[Finding]:
    """The findings, those about the password given the provider's password page and name."""
    if settings is None or not settings.password_page:
        return list(findings)
    extra = {"password_page": settings.password_page}
    if settings.provider:
        extra["provider"] = settings.provider
    result = []
    password_causes = causes_marked("password_page")
    for item in findings:
        if item.cause in password_causes:
            known = dict(item.params)
            params = tuple(item.params) + tuple((k, v) for k, v in extra.items() if k not in known)
            item = dataclasses.replace(item, params=params)
        result.append(item)
    return result
