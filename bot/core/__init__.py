"""The channel-agnostic core: message types, the ports other rooms implement, and the one
dispatcher every channel hands its messages to. It imports no platform, web or database
library (tests/core/test_layers.py checks)."""
