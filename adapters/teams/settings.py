"""The Teams door's settings, read and checked without the Bot Framework SDK, so a bad one stops the server at start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

APP_TYPES = {"multitenant": "MultiTenant", "singletenant": "SingleTenant", "userassignedmsi": "UserAssignedMSI"}


class TeamsConfigError(ValueError):
    """A Teams setting that cannot work; the message says which variable to fix."""


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str = ""
    app_password: str = ""
    app_type: str = "MultiTenant"
    tenant_id: str = ""
    messages_per_second: float = 7.0

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsSettings:
        raw_type = env.get("MICROSOFT_APP_TYPE", "").strip() or "MultiTenant"
        app_type = APP_TYPES.get(raw_type.lower())
        if app_type is None:
            raise TeamsConfigError(f"MICROSOFT_APP_TYPE={raw_type!r}: use MultiTenant, SingleTenant or UserAssignedMSI.")
        try:
            rate = float(env.get("TEAMS_MESSAGES_PER_SECOND", "") or 7)
        except ValueError:
            raise TeamsConfigError("TEAMS_MESSAGES_PER_SECOND must be a number, e.g. 7.") from None
        settings = cls(
            app_id=env.get("MICROSOFT_APP_ID", "").strip(), app_password=env.get("MICROSOFT_APP_PASSWORD", "").strip(),
            app_type=app_type, tenant_id=env.get("MICROSOFT_APP_TENANT_ID", "").strip(), messages_per_second=rate,
        )
        settings.check()
        return settings

    def check(self) -> None:
        if not self.app_id:
            if self.app_password:
                raise TeamsConfigError("MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is not.")
            return
        if self.app_type in ("MultiTenant", "SingleTenant") and not self.app_password:
            raise TeamsConfigError(f"MICROSOFT_APP_TYPE={self.app_type} needs MICROSOFT_APP_PASSWORD (the client secret).")
        if self.app_type in ("SingleTenant", "UserAssignedMSI") and not self.tenant_id:
            raise TeamsConfigError(f"MICROSOFT_APP_TYPE={self.app_type} needs MICROSOFT_APP_TENANT_ID.")
