"""SQL storage of the core's incidents: SQLModel tables, an explicit mapping, a unit of work and Alembic migrations."""

from storage import teams_tables  # noqa: F401 - declares the Teams tables, so migrations are checked against them
from storage.engine import DEFAULT_URL, make_engine
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory, sql_uow_factory

__all__ = ["DEFAULT_URL", "SqlUnitOfWork", "SqlUnitOfWorkFactory", "make_engine", "sql_uow_factory"]
