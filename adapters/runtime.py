"""The composition root: settings, storage, gateways and the service, wired once per process."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dotenv import dotenv_values

from bot.config import Settings
from bot.ports import ChatGateway, Clock, ReminderUnitOfWork, SystemClock
from bot.service import CrisisService, Dispatcher

DEFAULT_DATABASE_URL = "sqlite:///crisisbot.db"


def load_env(path: str = ".env") -> dict[str, str]:
    """The process environment over the `.env` file: what the operator exported wins."""
    values = {k: v for k, v in dotenv_values(path).items() if v is not None} if os.path.exists(path) else {}
    values.update(os.environ)
    return values


@dataclass
class Runtime:
    env: Mapping[str, str]
    settings: Settings
    dispatcher: Dispatcher
    service: CrisisService
    gateways: dict[str, ChatGateway] = field(default_factory=dict)
    # The same units of work as the dispatcher's, known to carry the outbox the scheduler's reminders need.
    uow_factory: Callable[[], ReminderUnitOfWork] = field(kw_only=True)

    def add_gateway(self, gateway: ChatGateway) -> None:
        # The service holds the same dict, so a door registered later is reached by broadcasts too.
        self.gateways[gateway.platform] = gateway


def build_runtime(
    env: Mapping[str, str] | None = None,
    uow_factory: Callable[[], ReminderUnitOfWork] | None = None,
    clock: Clock | None = None,
) -> Runtime:
    env = load_env() if env is None else env
    settings = Settings.from_env(env)
    if uow_factory is None:
        from storage import sql_uow_factory

        uow_factory = sql_uow_factory(env.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    dispatcher = Dispatcher(uow_factory, settings, clock or SystemClock())
    gateways: dict[str, ChatGateway] = {}
    return Runtime(env, settings, dispatcher, CrisisService(dispatcher, gateways), gateways, uow_factory=uow_factory)
