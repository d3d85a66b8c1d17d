"""asyncio integration for skypeconnect.Session.

THREAD mode: the library's thread hands each event to the loop with
``call_soon_threadsafe``. QUEUE mode: the loop watches ``event_fd`` with
``add_reader`` and dispatches on its own thread, so ``on_event`` callbacks run
on the loop too. Nothing blocks the loop.
"""
from __future__ import annotations

import asyncio
from typing import Callable, Optional


class EventStream:
    """``async for ev in session.events()`` / ``async with session.events() as s: await s.get()``.
    Ends (StopAsyncIteration) when the session is closed."""

    def __init__(self, session):
        self._session = session
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._queue: Optional[asyncio.Queue] = None
        self._entry = None
        self._fd = None

    def _open(self) -> None:
        if self._queue is not None:
            return
        from . import Dispatch
        s = self._session
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._entry = (self._loop, self._queue)
        s._subscribers.append(self._entry)
        if s.dispatch_mode == Dispatch.QUEUE:
            self._fd = s.event_fd
            self._loop.add_reader(self._fd, self._readable)

    def _readable(self) -> None:
        s = self._session
        if s.closed:
            self._detach_reader()
            self._queue.put_nowait(None)
            return
        s.dispatch(0)   # events reach every subscriber, this one included

    def _detach_reader(self) -> None:
        if self._fd is not None and self._loop is not None:
            try:
                self._loop.remove_reader(self._fd)
            except Exception:
                pass
            self._fd = None

    def close(self) -> None:
        self._detach_reader()
        if self._entry is not None:
            try:
                self._session._subscribers.remove(self._entry)
            except ValueError:
                pass
            self._entry = None

    async def get(self, timeout: Optional[float] = None):
        """The next event; None when the session was closed; asyncio.TimeoutError after ``timeout``."""
        self._open()
        if self._session.closed and self._queue.empty():
            return None
        if timeout is None:
            return await self._queue.get()
        return await asyncio.wait_for(self._queue.get(), timeout)

    async def __aenter__(self):
        self._open()
        return self

    async def __aexit__(self, *exc):
        self.close()

    def __aiter__(self):
        self._open()
        return self

    async def __anext__(self):
        ev = await self.get()
        if ev is None:
            self.close()
            raise StopAsyncIteration
        return ev

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class AudioFrames:
    """``async for frame in call.audio_frames():`` 20 ms of what the far end
    sends, as ``bytes`` (160 signed 16-bit mono samples at 8 kHz, native byte
    order: what ``call.write()`` takes). Built on the AUDIO events: the
    iterator turns them on for its call when it starts and off when it is
    closed (``aclose()``, ``async with``, or the end of the loop), and ends
    when the call ends or the session is closed. Frames wait in a queue
    while the loop is busy elsewhere; none is dropped."""

    def __init__(self, session, call):
        self._call = call
        self._stream = EventStream(session)
        self._on = False

    def _start(self) -> None:
        if not self._on:
            self._stream._open()
            self._call.set_audio(True)   # raises when the call has no media
            self._on = True

    async def aclose(self) -> None:
        """Turns the call's AUDIO events off (if it still lives) and stops listening."""
        if self._on:
            self._on = False
            try:
                self._call.set_audio(False)
            except Exception:   # the call ended: nothing to turn off
                pass
        self._stream.close()

    async def __aenter__(self):
        self._start()
        return self

    async def __aexit__(self, *exc):
        await self.aclose()

    def __aiter__(self):
        self._start()
        return self

    async def __anext__(self) -> bytes:
        from . import CallState, EventType
        self._start()
        while True:
            ev = await self._stream.get()
            if ev is None:
                break
            if ev.call is None or ev.call != self._call:
                continue
            if ev.type == EventType.AUDIO and ev.pcm:
                return ev.pcm
            if ev.call_state == CallState.ENDED:
                break
        await self.aclose()
        raise StopAsyncIteration


async def wait_for_async(session, predicate: Optional[Callable] = None, timeout: Optional[float] = None):
    stream = EventStream(session)
    stream._open()
    try:
        async def _wait():
            while True:
                ev = await stream.get()
                if ev is None or predicate is None or predicate(ev):
                    return ev
        try:
            return await asyncio.wait_for(_wait(), timeout)
        except asyncio.TimeoutError:
            return None
    finally:
        stream.close()
