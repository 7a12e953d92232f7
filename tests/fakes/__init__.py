"""In-repo fakes of outside services, for tests that drive the real client libraries."""

from .telegram_api import Call, FakeTelegram, UploadedFile

__all__ = ["Call", "FakeTelegram", "UploadedFile"]
