"""The pieces of ``scripts/fuzz.py``: hostile values and body mangling (``values``), the
cases of each endpoint (``web``, ``platforms``) and the summary (``report``)."""
