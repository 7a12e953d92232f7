"""The web tests' browser, fake Telegram and output folder serve the console's tests too."""

from tests.web.conftest import browser, chat, fake, output_dir  # noqa: F401
