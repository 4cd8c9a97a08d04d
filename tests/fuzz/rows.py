"""Every table's row count: "nothing changed in the database" as one comparison."""

from __future__ import annotations

import sqlalchemy as sa


def row_counts(database_url: str) -> dict[str, int]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {table: connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                    for table in sa.inspect(connection).get_table_names()}
    finally:
        engine.dispose()
