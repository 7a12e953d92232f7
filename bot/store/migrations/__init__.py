"""Alembic migrations of the bot database (run with bot.store.migrate.upgrade)."""
