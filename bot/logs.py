"""Logging for the command line and the server.

A malformed HTTP request (a URL or header over aiohttp's limits, bytes that are not a
request line, a body in an encoding nobody asked for) is the client's fault: aiohttp
already answers it with 400, but logs it as an error with a traceback — anyone could fill
the log that way. It becomes one WARNING line here.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

FORMAT = "%(levelname)s %(name)s: %(message)s"


class ClientFaults(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        fault = record.exc_info[1] if record.exc_info else None
        if isinstance(fault, (HttpProcessingError, RequestPayloadError)):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "malformed HTTP request refused: %s"
            record.args = (type(fault).__name__,)
            record.exc_info = record.exc_text = None
        return True


def configure(level: str) -> None:
    logging.basicConfig(level=level.upper(), format=FORMAT)
    logging.getLogger("aiohttp.server").addFilter(ClientFaults())
