"""One error root for the project; subsystems raise its subclasses."""


class BotError(Exception):
    """Base of every error this project raises on purpose."""


class DocumentError(BotError):
    """A knowledge document cannot be read or is empty (the message names the file)."""


class SearchIndexError(BotError):
    """The search index is missing, stale in a way that matters, or built with another model."""


class ModelError(BotError):
    """The embedding model cannot be provisioned or loaded."""
