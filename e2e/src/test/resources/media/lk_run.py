"""Runs a LiveKit client's coroutine to the end, then leaves the process without the SDK's exit-time dispose.

The Python SDK (livekit 1.2.0) disposes its native runtime from an atexit hook; when that runtime still delivers an
event (a participant leaving, the room closing) while the interpreter shuts down, its callback panics in "a function
that cannot unwind" and the process aborts, after its work was done and printed. Leaving with os._exit skips that
race; a coroutine that fails still raises and exits non-zero as usual.
"""
import asyncio
import os
import sys


def run(coroutine) -> None:
    asyncio.run(coroutine)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
