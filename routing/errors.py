"""Errors for configuration a person wrote: each carries every problem found, in words they can act on."""

from __future__ import annotations

from collections.abc import Sequence


class RoutingConfigError(ValueError):
    def __init__(self, messages: Sequence[str]) -> None:
        self.messages: list[str] = list(messages)
        super().__init__("\n".join(self.messages))


class RuleValidationError(RoutingConfigError):
    pass


class DepartmentValidationError(RoutingConfigError):
    pass
