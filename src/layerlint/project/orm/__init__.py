"""SQLAlchemy and SQLModel: table models and their fields, sessions and their calls, queries and soft delete."""
