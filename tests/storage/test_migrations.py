"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from yuqing.storage.database import migrate
from yuqing.storage.models import Base


def test_migrations_match_models(workflow_engine) -> None:
    migrate(workflow_engine)
    migrate(workflow_engine)  # a second run is a no-op
    with workflow_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert {"users", "incidents", "incident_posts", "timers", "alembic_version"} <= set(
        inspect(workflow_engine).get_table_names()
    )
