"""libskypeconnect for Python: connect an application to a SIP trunk, the way
FreeSWITCH's "Skype Connect" gateway does.

    import skypeconnect as sc

    gw = sc.Gateway("skype", proxy="sip.example.net", username="u", password="p",
                    dial_prefix="00")
    with sc.Session(on_event=print) as s:      # callbacks run on the library's thread
        s.add_gateway(gw)
        s.start()
        s.wait_state("skype", sc.RegState.REGED, timeout=10)
        call = s.dial("skype", "0044201234567")

Everything of the C API is in ``skypeconnect.core`` one-to-one (``sc_`` dropped:
``core.session_start``), with the classes the SWIG interface declares for
Python and Lua alike (``core.Gateway``...). This module subclasses them and
adds only what is Python's: properties and keywords, exceptions, enums, the
``Event`` snapshot, and ``Session`` threading and asyncio.

Threads: a ``Session`` delivers events on the library's own thread
(``Dispatch.THREAD``, the default; the GIL is taken for each callback) or in
``dispatch()`` on the caller's thread (``Dispatch.QUEUE``). Every blocking call
(``next_event``, ``wait_for``, ``dispatch``, ``stop``, ``close``) releases the
GIL. ``events()`` / ``wait_for_async()`` integrate with asyncio.
"""
from __future__ import annotations

import atexit
import enum
import json as _json
import threading
import time as _time
import weakref
from collections import deque, namedtuple
from typing import Callable, Iterable, Iterator, Optional

from . import core as _core

__all__ = [
    "Status", "EventType", "RegState", "GatewayStatus", "Reason", "CallState", "CallDirection",
    "HangupSide", "DialRefusal", "LogLevel", "Dispatch", "DiagSeverity",
    "Error", "InvalidArgument", "OutOfMemory", "StateError", "NotFound", "AlreadyExists",
    "ConfigError", "ParseError", "IOFailure", "Timeout", "Closed", "SipError", "Refused",
    "DialRefused", "ChannelsBusy", "InternalError", "GatewayFailed",
    "Event", "Call", "Gateway", "Config", "Diagnostic", "DialRule", "Dialplan", "CallFields",
    "Route", "Action", "Policy", "Session", "Trunk", "TrunkFault",
    "version", "strerror", "status_name", "set_log_handler", "reg_state_name", "sip_cause",
    "last_error", "last_status", "last_refusal", "core",
]

core = _core
__version__ = _core.version()

# --------------------------------------------------------------------------- enums


class Status(enum.IntEnum):
    """Status codes (``sc_status``): 0 is success, errors are negative."""
    OK = _core.OK
    EINVAL = _core.EINVAL
    ENOMEM = _core.ENOMEM
    ESTATE = _core.ESTATE
    ENOTFOUND = _core.ENOTFOUND
    EEXISTS = _core.EEXISTS
    ECONFIG = _core.ECONFIG
    EPARSE = _core.EPARSE
    EIO = _core.EIO
    ETIMEOUT = _core.ETIMEOUT
    ECLOSED = _core.ECLOSED
    ESIP = _core.ESIP
    EREFUSED = _core.EREFUSED
    ECHANNELS = _core.ECHANNELS
    EINTERNAL = _core.EINTERNAL


class EventType(enum.IntEnum):
    """Kinds of events (``sc_event_type``)."""
    GATEWAY_STATE = _core.EVENT_GATEWAY_STATE
    GATEWAY_REMOVED = _core.EVENT_GATEWAY_REMOVED
    SESSION_STOPPED = _core.EVENT_SESSION_STOPPED
    INCOMING_CALL = _core.EVENT_INCOMING_CALL
    CALL_STATE = _core.EVENT_CALL_STATE
    DIAL_REFUSED = _core.EVENT_DIAL_REFUSED
    INBOUND_REFUSED = _core.EVENT_INBOUND_REFUSED
    CALL_ROUTED = _core.EVENT_CALL_ROUTED
    DTMF = _core.EVENT_DTMF
    MEDIA_STATE = _core.EVENT_MEDIA_STATE
    MEDIA_STATS = _core.EVENT_MEDIA_STATS
    MEDIA_NOTICE = _core.EVENT_MEDIA_NOTICE
    AUDIO = _core.EVENT_AUDIO
    DRAIN = _core.EVENT_DRAIN
    CALL_CONTROL = _core.EVENT_CALL_CONTROL


class RegState(enum.IntEnum):
    """Gateway registration states, with FreeSWITCH's names (``sc_reg_state``)."""
    UNREGED = _core.REG_UNREGED
    TRYING = _core.REG_TRYING
    REGISTER = _core.REG_REGISTER
    REGED = _core.REG_REGED
    UNREGISTER = _core.REG_UNREGISTER
    FAILED = _core.REG_FAILED
    FAIL_WAIT = _core.REG_FAIL_WAIT
    EXPIRED = _core.REG_EXPIRED
    NOREG = _core.REG_NOREG
    DOWN = _core.REG_DOWN
    TIMEOUT = _core.REG_TIMEOUT


class GatewayStatus(enum.IntEnum):
    """A gateway's usability for calls (``sc_gw_status``)."""
    DOWN = _core.GW_DOWN
    UP = _core.GW_UP


class Reason(enum.IntEnum):
    """The class of failure behind a state (``sc_reason``)."""
    NONE = _core.REASON_NONE
    AUTH = _core.REASON_AUTH
    TIMEOUT = _core.REASON_TIMEOUT
    NETWORK = _core.REASON_NETWORK
    DNS = _core.REASON_DNS
    TLS = _core.REASON_TLS
    SERVER = _core.REASON_SERVER
    CONFIG = _core.REASON_CONFIG
    REQUEST = _core.REASON_REQUEST


class CallState(enum.IntEnum):
    """Call states (``sc_call_state``)."""
    INCOMING = _core.CALL_INCOMING
    CALLING = _core.CALL_CALLING
    PROCEEDING = _core.CALL_PROCEEDING
    RINGING = _core.CALL_RINGING
    EARLY = _core.CALL_EARLY
    ANSWERED = _core.CALL_ANSWERED
    HELD = _core.CALL_HELD
    ENDED = _core.CALL_ENDED


class CallDirection(enum.IntEnum):
    INBOUND = _core.CALL_INBOUND
    OUTBOUND = _core.CALL_OUTBOUND


class HangupSide(enum.IntEnum):
    NONE = _core.HANGUP_NONE
    LOCAL = _core.HANGUP_LOCAL
    REMOTE = _core.HANGUP_REMOTE


class DialRefusal(enum.IntEnum):
    """Why a number was refused (``sc_dial_refusal``)."""
    OK = _core.DIAL_OK
    NO_RULE = _core.DIAL_NO_RULE
    NO_MATCH = _core.DIAL_NO_MATCH
    EMERGENCY = _core.DIAL_EMERGENCY
    BAD_NUMBER = _core.DIAL_BAD_NUMBER
    TOO_LONG = _core.DIAL_TOO_LONG
    CHANNELS = _core.DIAL_CHANNELS
    GATEWAY_DOWN = _core.DIAL_GATEWAY_DOWN


class LogLevel(enum.IntEnum):
    ERROR = _core.LOG_ERROR
    WARNING = _core.LOG_WARNING
    INFO = _core.LOG_INFO
    DEBUG = _core.LOG_DEBUG


class Dispatch(enum.IntEnum):
    """Event delivery: on the library's thread, or queued for ``dispatch()``."""
    THREAD = _core.DISPATCH_THREAD
    QUEUE = _core.DISPATCH_QUEUE


class DiagSeverity(enum.IntEnum):
    WARNING = _core.DIAG_WARNING
    ERROR = _core.DIAG_ERROR


def _enum(cls, value):
    try:
        return cls(value)
    except ValueError:
        return None

# --------------------------------------------------------------------------- errors


class Error(Exception):
    """A libskypeconnect failure. ``code`` is the ``Status``; ``message`` the
    library's sentence naming what was wrong (``sc_last_error()``)."""

    def __init__(self, message: str = "", code: int = _core.EINTERNAL, refusal: str = ""):
        super().__init__(message)
        self.message = message
        self.code = _enum(Status, code) or code
        self.refusal = refusal or ""

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return (type(self), (self.message, int(self.code), self.refusal))


class InvalidArgument(Error, ValueError):
    """EINVAL: an argument is invalid."""


class OutOfMemory(Error, MemoryError):
    """ENOMEM."""


class StateError(Error):
    """ESTATE: not allowed in the object's current state."""


class NotFound(Error, LookupError):
    """ENOTFOUND: no such gateway, call or parameter."""


class AlreadyExists(Error):
    """EEXISTS: an object of that name exists already."""


class ConfigError(Error):
    """ECONFIG: the configuration is invalid. ``diagnostics`` lists every problem when known."""
    diagnostics: list = []


class ParseError(Error, ValueError):
    """EPARSE: malformed XML, number or address."""


class IOFailure(Error, OSError):
    """EIO: a file or socket operation failed (``except OSError`` catches it;
    the library's message says which file and why)."""


class Timeout(Error, TimeoutError):
    """ETIMEOUT: a bounded wait ran out."""


class Closed(Error):
    """ECLOSED: the session is stopped or being stopped (or closed)."""


class SipError(Error):
    """ESIP: the SIP stack failed or refused the operation."""


class Refused(Error):
    """EREFUSED: refused by policy."""


class DialRefused(Refused):
    """A dial-out refused before any SIP was sent.

    ``refusal`` names the reason (``"no_rule"``, ``"no_match"``, ``"emergency"``,
    ``"bad_number"``, ``"too_long"``, ``"channels"``, ``"gateway_down"``);
    ``message`` says which rule refused it; ``gateway``, ``number`` and
    ``rule`` (the dial rule's description) are set when known."""
    gateway: Optional[str] = None
    number: Optional[str] = None
    rule: Optional[str] = None

    @property
    def refusal_code(self) -> Optional[DialRefusal]:
        names = {_core.dial_refusal_name(int(r)): r for r in DialRefusal}
        return names.get(self.refusal)


class ChannelsBusy(DialRefused):
    """ECHANNELS: every channel of the gateway is busy."""


class InternalError(Error):
    """EINTERNAL: a bug in libskypeconnect."""


class GatewayFailed(Error):
    """``wait_state()``: the gateway failed (FAILED, FAIL_WAIT or TIMEOUT)
    before it reached a state waited for. ``reason`` is the ``Reason``
    (``Reason.AUTH`` for a wrong password), ``state`` the failed state,
    ``event`` the gateway_state event."""
    gateway: Optional[str] = None
    state: Optional["RegState"] = None
    reason: Optional["Reason"] = None
    event: Optional["Event"] = None


_ERRORS = {
    _core.EINVAL: InvalidArgument, _core.ENOMEM: OutOfMemory, _core.ESTATE: StateError,
    _core.ENOTFOUND: NotFound, _core.EEXISTS: AlreadyExists, _core.ECONFIG: ConfigError,
    _core.EPARSE: ParseError, _core.EIO: IOFailure, _core.ETIMEOUT: Timeout,
    _core.ECLOSED: Closed, _core.ESIP: SipError, _core.EREFUSED: Refused,
    _core.ECHANNELS: ChannelsBusy, _core.EINTERNAL: InternalError,
}
_core._register_errors(Error, _ERRORS, DialRefused)


def _raise_status(code: int) -> None:
    cls = _ERRORS.get(code, Error)
    raise cls(_core.last_error() or _core.strerror(code), code)

# --------------------------------------------------------------------------- functions


def version() -> str:
    """Library version "MAJOR.MINOR.PATCH"."""
    return _core.version()


def strerror(status: int) -> str:
    """English text of a status code."""
    return _core.strerror(int(status))


def status_name(status: int) -> str:
    """Symbolic name of a status code ("SC_EINVAL")."""
    return _core.status_name(int(status))


def last_error() -> str:
    """Detail of this thread's last failure (normally already in the exception)."""
    return _core.last_error()


def last_status() -> int:
    return _core.last_status()


def last_refusal() -> DialRefusal:
    """The refusal of this thread's last dial check."""
    return DialRefusal(_core.dialrule_last_refusal())


def reg_state_name(state: int) -> str:
    return _core.reg_state_name(int(state))


def sip_cause(sip_code: int) -> str:
    """FreeSWITCH's Q.850 cause name for a SIP status."""
    return _core.sip_cause(int(sip_code))


def set_log_handler(handler: Optional[Callable[[LogLevel, str], None]],
                    level: int = LogLevel.WARNING) -> None:
    """Receives the library's log lines up to ``level``, on whichever thread
    logs (the GIL is taken); ``None`` restores the default (stderr). Messages
    never contain passwords. Exceptions raised by the handler go to
    ``sys.unraisablehook``."""
    if handler is None:
        _core.set_log_cb(int(level), None)
        return
    if not callable(handler):
        # Refused now: accepted, it would raise inside every later log line.
        raise TypeError("set_log_handler: handler must be callable or None, not %s" % type(handler).__name__)

    def _log(lvl, message, _h=handler):
        _h(_enum(LogLevel, lvl) or lvl, message)
    _core.set_log_cb(int(level), _log)

# --------------------------------------------------------------------------- events and calls


def _close(obj, free) -> None:
    """Frees obj now; every later method raises Closed. Idempotent."""
    if obj.thisown:
        free(obj)
    _core._forget(obj)


def _getters(cls, **names):
    """Read-only properties over core getter methods: _getters(Call, id="id")."""
    for prop, method in names.items():
        setattr(cls, prop, property(getattr(cls.__bases__[-1], method)))


class Call(_core.Call):
    """A call (inbound or outbound). Holds a reference on the C call; getters
    keep answering after the call ended. ``ring()``, ``answer(sdp)``,
    ``reject(sip_code, phrase)``, ``redirect(target)``, ``hangup()``,
    ``send_dtmf(digits)`` and ``header(name)`` are the C functions' own."""

    def __eq__(self, other):
        return isinstance(other, Call) and int(self.this) == int(other.this)

    def __hash__(self):
        return hash(int(self.this))

    def __repr__(self):
        return "<skypeconnect.Call %d %s %s %s>" % (self.id, self.direction.name.lower(),
                                                     self.destination, self.state.name)

    direction = property(lambda self: CallDirection(_core.Call.direction(self)))
    state = property(lambda self: CallState(_core.Call.state(self)), doc="Current CallState.")
    hangup_side = property(lambda self: HangupSide(_core.Call.hangup_side(self)))

    def reject(self, sip_code: int = 486, phrase: Optional[str] = None) -> None:
        """Inbound: rejects with a SIP status 400..699."""
        super().reject(int(sip_code), phrase)

    def to_dict(self) -> dict:
        return _json.loads(self.to_json())



    # -- the library's media (Session.enable_media() before start)
    def answer_media(self) -> None:
        """Inbound: answers with the library's own SDP and RTP. Raises (the call
        rejected with 488) when the offer has no codec in common."""
        _core.call_answer_media(self)

    def progress_media(self) -> None:
        """Inbound: 183 with the library's SDP (early media: play before answering)."""
        _core.call_progress_media(self)

    def play(self, path: str, loop: bool = False) -> None:
        """Plays a file (any format GStreamer decodes) to the far end."""
        _core.call_play(self, path, int(bool(loop)))

    def play_tone(self, hz: int, ms: int, loop: bool = False) -> None:
        """Plays a sine tone."""
        _core.call_play_tone(self, int(hz), int(ms), int(bool(loop)))

    def record(self, path: str) -> None:
        """Records what the far end sends to a 16-bit PCM WAV file."""
        _core.call_record(self, path)

    def stop(self) -> None:
        """Stops playing and recording."""
        _core.call_stop_media(self)

    def set_audio(self, on: bool = True) -> None:
        """Turns AUDIO events on: each carries 20 ms of received PCM in ``event.pcm``."""
        _core.call_set_audio(self, int(bool(on)))

    def audio_frames(self, session: Optional["Session"] = None):
        """``async for frame in call.audio_frames():`` 20 ms frames (bytes of
        16-bit PCM at 8 kHz) of what the far end sends, on the running asyncio
        loop, until the call ends; ``write()`` sends frames the other way.
        ``session`` is the call's own (found among the open sessions when
        not given)."""
        from ._aio import AudioFrames
        if session is None:
            session = next((s for s in list(_live_sessions) if not s.closed and s.find_call(self.id) == self), None)
            if session is None:
                raise StateError("audio_frames: call %d is not a live call of an open session" % self.id,
                                 _core.ESTATE)
        return AudioFrames(session, self)

    def write(self, pcm: bytes) -> None:
        """Queues PCM to send (16-bit mono at 8 kHz, native byte order), mixed with what plays."""
        _core.call_write_audio(self, pcm)

    def hold(self, on: bool = True) -> None:
        """Puts the call on hold (re-INVITE, sendonly) or takes it off hold."""
        _core.call_hold(self, int(bool(on)))

    def media_stats(self) -> dict:
        """The media statistics now (sc_call_media_stats): packets_sent,
        packets_received, packets_lost, packets_dropped, jitter_ms, codec, local,
        remote. Raises StateError when the call has no media or has ended."""
        return _core.call_media_stats(self)[1]


_getters(Call, id="id", gateway="gateway", matched_by="matched_by", destination="destination",
         caller_number="caller_number", caller_name="caller_name", sip_call_id="sip_call_id", to="to",
         source="source", remote_sdp="remote_sdp", sip_code="sip_code", cause="cause")


class Event:
    """One event, read-only. ``type`` is an ``EventType``; gateway events carry
    ``state``/``prev_state`` (``RegState``), ``status``, ``reason``...; call
    events carry ``call`` (a ``Call``) and ``call_state``."""
    __slots__ = ("type", "gateway", "state", "prev_state", "status", "sip_code", "phrase", "reason",
                 "expires", "next_retry", "failures", "call", "call_id", "call_state", "cause", "number",
                 "refusal", "message", "source", "time_us", "json", "text", "context", "route_json", "pcm",
                 "control", "result")

    def __init__(self, fields: dict):
        self.type = _enum(EventType, fields["type"]) or fields["type"]
        self.gateway = fields["gateway"]
        self.state = _enum(RegState, fields["state"]) if fields["state"] >= 0 else None
        self.prev_state = _enum(RegState, fields["prev_state"]) if fields["prev_state"] >= 0 else None
        gw_event = self.type in (EventType.GATEWAY_STATE, EventType.GATEWAY_REMOVED)
        self.status = _enum(GatewayStatus, fields["status"]) if gw_event else None
        self.sip_code = fields["sip_code"]
        self.phrase = fields["phrase"]
        self.reason = _enum(Reason, fields["reason"])
        self.expires = fields["expires"]
        self.next_retry = fields["next_retry"]
        self.failures = fields["failures"]
        self.call = fields["call"]
        self.call_id = fields["call_id"]
        self.call_state = _enum(CallState, fields["call_state"]) if fields["call_state"] >= 0 else None
        self.cause = fields["cause"]
        self.number = fields["number"]
        self.refusal = fields["refusal"]
        self.message = fields["message"]
        self.source = fields["source"]
        self.time_us = fields["time_us"]
        self.json = fields["json"]
        self.text = fields["text"]
        self.context = fields["context"]
        self.route_json = fields["route_json"]
        self.pcm = fields.get("pcm")   # AUDIO: 20 ms of 16-bit mono PCM at 8 kHz (bytes)
        # CALL_CONTROL: the control posted from another thread ("sc_call_answer", ...)
        # and its outcome: 0, or the negative status it failed with (message says why)
        self.control = fields["control"]
        self.result = fields["result"]

    @classmethod
    def _from_ptr(cls, ptr) -> "Event":
        return cls(_core._event_fields(ptr))

    @property
    def time(self) -> float:
        """Wall-clock time, seconds since the epoch."""
        return self.time_us / 1e6

    def _field(self, type_: "EventType", key: str):
        """A member of the event's JSON when the event is of that type, else None."""
        return self.to_dict().get(key) if self.type == type_ else None

    @property
    def digit(self) -> Optional[str]:
        """The digit of a DTMF event ("5", "#"), else None."""
        return self._field(EventType.DTMF, "digit")

    @property
    def dtmf_method(self) -> Optional[str]:
        """How the digit came: "rfc4733", "info" or "inband"; else None."""
        return self._field(EventType.DTMF, "method")

    @property
    def draining(self) -> Optional[bool]:
        """A DRAIN event: whether the session drains now; else None."""
        return self._field(EventType.DRAIN, "draining")

    @property
    def drain_calls(self) -> Optional[int]:
        """A DRAIN event: calls still in progress (0: drained, safe to stop); else None."""
        return self._field(EventType.DRAIN, "calls")

    def to_dict(self) -> dict:
        return _json.loads(self.json)

    def __repr__(self):
        return "<skypeconnect.Event %s>" % (self.text or self.json)

# --------------------------------------------------------------------------- configuration


def _param_name(key: str) -> str:
    return key.replace("_", "-")


class Gateway(_core.Gateway):
    """A gateway's configuration (FreeSWITCH ``<gateway>`` params).

    ``Gateway("skype", proxy="...", dial_prefix="00")`` (``_`` becomes ``-``),
    or ``gw["dial-prefix"] = "00"``; ``gw["from-user"]`` is the effective value
    ("" unset; the password reads "<hidden>"). ``validate()`` checks the
    parameters against each other (ConfigError); ``copy()``.
    """

    def __init__(self, name: str, params: Optional[dict] = None, **kw):
        super().__init__(name)
        for k, v in (params or {}).items():
            self.set(k, v)
        for k, v in kw.items():
            try:
                self.set(_param_name(k), v)
            except NotFound:
                raise TypeError("Gateway() got an unexpected keyword argument %r (no gateway parameter %r)"
                                % (k, _param_name(k))) from None

    name = property(_core.Gateway.name)

    def set(self, param: str, value) -> None:
        """Sets a parameter (bool becomes "true"/"false"); NotFound / InvalidArgument."""
        if isinstance(value, bool):
            value = "true" if value else "false"
        super().set(param, str(value))

    __setitem__ = set

    def __getitem__(self, param: str) -> str:
        return self.get(param)

    @property
    def warnings(self) -> list:
        """Values corrected and params ignored by ``set``."""
        return (_core.Gateway.warnings(self) or "").splitlines()

    @staticmethod
    def param_names() -> list:
        """Every parameter name this library implements."""
        return [_core.gateway_param_name(i) for i in range(_core.gateway_param_count())]

    def params(self) -> dict:
        """Effective value of every known parameter."""
        return {n: self.get(n) for n in self.param_names()}

    def __repr__(self):
        return "<skypeconnect.Gateway %r>" % self.name


Diagnostic = namedtuple("Diagnostic", "severity file line column gateway param message text")


class Config(_core.Config):
    """Gateways loaded from FreeSWITCH XML, with line-accurate diagnostics.
    ``load_file``/``load_string`` raise ConfigError/ParseError carrying ``diagnostics``."""

    def __init__(self, path=None):
        super().__init__()
        if path is not None:
            self.load_file(path)

    @classmethod
    def from_string(cls, xml: str, source_name: str = "<string>") -> "Config":
        c = cls()
        c.load_string(xml, source_name)
        return c

    def load_file(self, path) -> None:
        try:
            super().load_file(path)
        except Error as e:
            e.diagnostics = self.diagnostics
            raise

    def load_string(self, xml: str, source_name: str = "<string>") -> None:
        try:
            super().load_string(xml, source_name)
        except Error as e:
            e.diagnostics = self.diagnostics
            raise

    def __len__(self) -> int:
        return self.gateway_count()

    error_count = property(_core.Config.error_count)

    @property
    def gateways(self) -> list:
        """Copies of the gateways, in file order."""
        return [(_core.gateway_copy(_core.config_gateway_at(self, i))) for i in range(len(self))]

    def find_gateway(self, name: str) -> Gateway:
        """A copy of the gateway of that name; NotFound."""
        return _core.gateway_copy(_core.config_find_gateway(self, name))

    __getitem__ = find_gateway

    @property
    def diagnostics(self) -> list:
        return [Diagnostic(_enum(DiagSeverity, _core.config_diag_severity(self, i)), _core.config_diag_file(self, i),
                           _core.config_diag_line(self, i), _core.config_diag_column(self, i),
                           _core.config_diag_gateway(self, i), _core.config_diag_param(self, i),
                           _core.config_diag_message(self, i), _core.config_diag_text(self, i))
                for i in range(self.diag_count())]

# --------------------------------------------------------------------------- rules and policy


class _Checks:
    """check() that names the number (and the rule) in DialRefused; allows()."""

    def check(self, number: str) -> str:
        """The number to dial; DialRefused (with ``refusal`` and ``rule``) when refused."""
        try:
            return super().check(number)[1]
        except DialRefused as e:
            e.number, e.rule = number, self.description
            if isinstance(self, Policy):
                e.gateway = self.name
            raise

    def allows(self, number: str) -> bool:
        try:
            self.check(number)
            return True
        except DialRefused:
            return False

    def __str__(self):
        return self.description


class DialRule(_Checks, _core.DialRule):
    """Which numbers may go out, and as what. ``DialRule.prefix("00")`` or
    ``DialRule.pattern(r"^9(\\d+)$", "+$1")``; emergency numbers are always refused
    (``set_emergency_country``, ``add_emergency``)."""

    def __init__(self, prefix: Optional[str] = None, *, pattern: Optional[str] = None,
                 format: Optional[str] = None, emergency_country: Optional[str] = None,
                 emergency_numbers: Optional[str] = None):
        if (prefix is None) == (pattern is None):
            raise TypeError("DialRule() takes exactly one of prefix and pattern")
        if prefix is not None:
            super().__init__(prefix, None, 0)
        else:
            super().__init__(pattern, format, 1)
        if emergency_country:
            self.set_emergency_country(emergency_country)
        if emergency_numbers:
            self.add_emergency(emergency_numbers)

    @classmethod
    def prefix(cls, prefix: str, **kw) -> "DialRule":
        return cls(prefix, **kw)

    @classmethod
    def pattern(cls, pattern: str, format: Optional[str] = None, **kw) -> "DialRule":
        return cls(pattern=pattern, format=format, **kw)

    def is_emergency(self, number: str) -> bool:
        return bool(super().is_emergency(number))

    description = property(_core.DialRule.describe)

    def __repr__(self):
        return "<skypeconnect.DialRule %s>" % self.description


class Policy(_Checks, _core.Policy):
    """A gateway's trunk policy without a SIP stack (dial rule, emergency
    refusal, channel count), shared process-wide by gateway name. Made for
    hosts that carry the SIP themselves (FreeSWITCH). ``acquire_channel()``
    raises ChannelsBusy when all max-channels are in use."""

    @classmethod
    def load(cls, gateway_xml_path, gateway_name: str) -> "Policy":
        """The policy of that gateway; the same shared object on every call."""
        return cls(gateway_xml_path, gateway_name)

    @staticmethod
    def from_gateway(gw: Gateway) -> "Policy":
        """Registers a gateway built in code; AlreadyExists when the name is taken."""
        return _core.policy_from_gateway(gw)

    @staticmethod
    def get(gateway_name: str) -> "Policy":
        """The registered policy of that name; NotFound."""
        return _core.policy_get(gateway_name)

    @staticmethod
    def registered_count() -> int:
        return _core.policy_registered_count()

    def close(self) -> None:
        """Drops this reference now (else the garbage collector does)."""
        _close(self, _core.policy_unref)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    description = property(_core.Policy.describe, doc='The dial rule as text, "" when none.')

    def channel(self):
        """``with policy.channel(): ...`` holds one channel for the block."""
        return _ChannelHold(self)

    def __repr__(self):
        return "<skypeconnect.Policy %r>" % (self.name if int(self.this) else "(closed)")


_getters(Policy, name="name", source="source", refcount="refcount", max_channels="max_channels",
         channels_in_use="channels_in_use")


class _ChannelHold:
    def __init__(self, policy):
        self._policy = policy

    def __enter__(self):
        self._policy.acquire_channel()
        return self._policy

    def __exit__(self, *exc):
        self._policy.release_channel()


class TrunkFault(enum.IntEnum):
    NONE = _core.TRUNK_FAULT_NONE
    WRONG_PASSWORD = _core.TRUNK_FAULT_WRONG_PASSWORD
    UNAVAILABLE = _core.TRUNK_FAULT_UNAVAILABLE
    SILENT = _core.TRUNK_FAULT_SILENT
    INTERVAL = _core.TRUNK_FAULT_INTERVAL


class Trunk(_core.Trunk):
    """The built-in loopback trunk: a registrar with digest auth and a PSTN
    that answers dial-outs (by the number's last digit), for demos and tests.
    ``set_fault``, ``set_expires``, ``set_ring_seconds``, ``place_call``,
    ``hangup_all`` and ``count`` are the C functions' own."""

    def __init__(self, listen: str = "127.0.0.1:0", user: str = "user", password: str = "secret"):
        super().__init__(listen, user, password)

    def close(self) -> None:
        _close(self, _core.trunk_free)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    port = property(_core.Trunk.port)
    address = property(_core.Trunk.address, doc='"HOST:PORT" for a gateway\'s proxy.')

    def set_fault(self, fault: TrunkFault, param: int = 0) -> None:
        super().set_fault(int(fault), int(param))

    def is_registered(self, user: str) -> bool:
        return bool(super().is_registered(user))

    def log(self) -> list:
        """What the trunk has seen: one dict per SIP request."""
        text = super().log() or ""
        return [_json.loads(line) for line in text.splitlines() if line.strip()]


Action = namedtuple("Action", "app data extension origin")


class CallFields(_core.CallFields):
    """The call fields a dialplan decides on (destination_number, caller_id_number, ...)."""

    def __init__(self, fields: Optional[dict] = None, **kw):
        super().__init__()
        for k, v in dict(fields or {}, **kw).items():
            self[k] = v

    def __setitem__(self, name: str, value) -> None:
        self.set(name, str(value))

    def __getitem__(self, name: str) -> str:
        v = _core.CallFields.get(self, name)
        if v is None:
            raise KeyError(name)
        return v

    def get(self, name: str, default=None):
        v = _core.CallFields.get(self, name)
        return default if v is None else v


class Route(_core.Route):
    """A routing decision: ``actions`` (Action(app, data, extension, origin)) and ``explain``."""

    def __len__(self) -> int:
        return self.action_count()

    explain = property(_core.Route.explain)

    @property
    def actions(self) -> list:
        return [Action(self.action_app(i), self.action_data(i), self.action_extension(i), self.action_origin(i))
                for i in range(len(self))]

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions)

    def to_dict(self) -> dict:
        return _json.loads(self.to_json())


class Dialplan(_core.Dialplan):
    """FreeSWITCH dialplan XML, and what it would do with a call (the same
    engine as C and Lua): ``load_file``, ``load_string``, ``load_dir``."""

    @property
    def diagnostics(self) -> list:
        return [self.diag_text(i) for i in range(self.diag_count())]

    error_count = property(_core.Dialplan.error_count)

    def has_context(self, context: str) -> bool:
        return bool(super().has_context(context))

    __contains__ = has_context

    def route(self, context: str, fields=None, **kw) -> Route:
        """Decides what the dialplan does with a call: ``dp.route("public", destination_number="0044...")``."""
        if not isinstance(fields, CallFields):
            fields = CallFields(fields, **kw)
        return super().route(context, fields)[1]


# C functions hand out the package's classes (a call in an event, a route...).
for _cls in (Call, Gateway, Config, DialRule, Policy, Trunk, CallFields, Route, Dialplan):
    getattr(_core._core, _cls.__bases__[-1].__name__ + "_swigregister")(_cls)

# --------------------------------------------------------------------------- session

_FAILED_STATES = frozenset((RegState.FAILED, RegState.FAIL_WAIT, RegState.TIMEOUT))
_SLICE = 0.2        # seconds: blocking waits run in slices so Ctrl-C works
_HISTORY = 4096     # events kept for next_event()/wait_for() in THREAD mode
_live_sessions: "weakref.WeakSet[Session]" = weakref.WeakSet()


def _ms(timeout: Optional[float]) -> int:
    return -1 if timeout is None else max(0, int(timeout * 1000))


def _make_deliver(ref):
    """The C callback of a THREAD-mode session: holds only a weak reference,
    so the library never keeps the Session alive (no cycle through C)."""
    def deliver(evptr):
        s = ref()
        if s is not None:
            s._deliver(Event._from_ptr(evptr), queue=True)
    return deliver


class Session:
    """One SIP stack with any number of gateways, and their events.

    ``on_event`` (any callable taking an ``Event``) runs on the library's
    thread with ``Dispatch.THREAD`` (default), or inside ``dispatch()`` with
    ``Dispatch.QUEUE``. ``next_event()``/``wait_for()`` work in both modes.
    Use as a context manager, or call ``close()``: it stops the stack and
    frees it (also allowed from inside the session's own callback).
    """

    def __init__(self, bind: Optional[str] = "127.0.0.1:0", *, dispatch: Dispatch = Dispatch.THREAD,
                 on_event: Optional[Callable[[Event], None]] = None, tls_dir: Optional[str] = None,
                 tls_verify: bool = True, answer_timeout: Optional[int] = None,
                 inbound_acl: Optional[str] = None, udp_receive_buffer: Optional[int] = None,
                 gateways: Iterable = ()):
        self._ptr = None
        if on_event is not None and not callable(on_event):
            raise TypeError("on_event must be callable or None, not %s" % type(on_event).__name__)
        self._interrupted = False
        self._mode = Dispatch(dispatch)
        self._on_event = on_event
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._history: deque = deque(maxlen=_HISTORY)
        self._subscribers: list = []
        self._answer_timeout = answer_timeout
        self._inbound_acl = inbound_acl
        ptr = _core.session_new()
        try:
            _core.session_set_dispatch(ptr, int(self._mode))
            if bind:
                _core.session_set_bind(ptr, bind)
            if tls_dir:
                _core.session_set_tls(ptr, tls_dir, 1 if tls_verify else 0)
            if answer_timeout is not None:
                _core.session_set_answer_timeout(ptr, int(answer_timeout))
            if inbound_acl is not None:
                _core.session_set_inbound_acl(ptr, inbound_acl)
            if udp_receive_buffer is not None:
                _core.session_set_udp_receive_buffer(ptr, int(udp_receive_buffer))
            if self._mode == Dispatch.THREAD:
                _core.session_set_event_cb(ptr, _make_deliver(weakref.ref(self)))
        except BaseException:
            _core.session_free(ptr)
            raise
        self._ptr = ptr
        _live_sessions.add(self)
        for gw in gateways:
            self.add_gateway(gw)

    # -- life cycle
    def _p(self):
        p = self._ptr
        if p is None:
            raise Closed("the session is closed", _core.ECLOSED)
        return p

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self, timeout: float = 2.0) -> None:
        """Un-REGISTERs (waiting at most ``timeout`` s), stops and frees the
        session. Idempotent. From inside the session's own callback it stops
        the session; the memory is freed when the object is collected (another
        thread may still be inside a call on it)."""
        with self._lock:
            p, self._ptr = self._ptr, None
            self._cond.notify_all()
        if p is None:
            return
        _live_sessions.discard(self)
        own_callback = _core._in_callback(p)
        try:
            _core.session_stop(p, 0 if own_callback else _ms(timeout))
        except Error:
            pass
        if own_callback:
            self._zombie = p
        else:
            _core._session_release(p)
        for loop, q in list(self._subscribers):
            try:
                loop.call_soon_threadsafe(q.put_nowait, None)
            except RuntimeError:
                pass

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
        z, self._zombie = getattr(self, "_zombie", None), None
        if z is not None and _core is not None:
            _core._session_release(z)   # frees on a helper thread if this is its own callback

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def start(self) -> None:
        """Starts the SIP stack and registers the gateways added so far."""
        _core.session_start(self._p())

    def stop(self, timeout: float = 5.0) -> None:
        """Un-REGISTERs every gateway (waiting at most ``timeout`` s) and stops
        the stack. Timeout when answers were missing (stopped all the same)."""
        _core.session_stop(self._p(), _ms(timeout))

    @property
    def running(self) -> bool:
        return self._ptr is not None and bool(_core.session_is_running(self._ptr))

    def drain(self, on: bool = True) -> None:
        """Drains (new inbound calls get 503, OPTIONS gets 503, calls in
        progress run to their end), or ends a drain with ``on=False``. A DRAIN
        event follows; one with ``drain_calls == 0`` when the last call ended."""
        _core.session_set_draining(self._p(), int(bool(on)))

    @property
    def draining(self) -> bool:
        return self._ptr is not None and _core.session_is_draining(self._ptr) == 1

    @property
    def dispatch_mode(self) -> Dispatch:
        return self._mode

    def local_port(self, transport: str = "udp") -> int:
        """The local port of a transport after start."""
        return _core.session_local_port(self._p(), transport)

    @property
    def port(self) -> int:
        """The local UDP port (after start)."""
        return self.local_port("udp")

    @property
    def listen_host(self) -> str:
        """The address listened on after start ("0.0.0.0": every interface)."""
        return _core.session_listen_host(self._p())

    def set_main_context(self, gmain_context) -> None:
        """Runs the stack on an application's GMainContext (a SWIG/ctypes pointer)."""
        _core.session_set_main_context(self._p(), gmain_context)

    def set_internal(self, addr: Optional[str], acl: Optional[str] = None) -> None:
        """Opens the internal side (local phones/PBXes) on ``addr``; before start."""
        _core.session_set_internal(self._p(), addr, acl)

    def enable_media(self, on: bool = True) -> None:
        """Lets calls have the library's own media (answer_media, dial(media=True)); before start."""
        _core.session_set_media(self._p(), int(bool(on)))

    def load_dialplan(self, path: str) -> None:
        """Loads FreeSWITCH dialplan XML (folder or file) that routes the session's calls; before start."""
        _core.session_load_dialplan(self._p(), path)

    @property
    def answer_timeout(self) -> Optional[int]:
        return self._answer_timeout

    @answer_timeout.setter
    def answer_timeout(self, seconds: int) -> None:
        _core.session_set_answer_timeout(self._p(), int(seconds))
        self._answer_timeout = int(seconds)

    @property
    def inbound_acl(self) -> Optional[str]:
        return self._inbound_acl

    @inbound_acl.setter
    def inbound_acl(self, acl: Optional[str]) -> None:
        _core.session_set_inbound_acl(self._p(), acl)
        self._inbound_acl = acl

    # -- gateways
    def add_gateway(self, gw, **params) -> None:
        """Adds a Gateway (copied), or builds one: ``add_gateway("skype", proxy=...)``."""
        if not isinstance(gw, Gateway):
            gw = Gateway(gw, **params)
        elif params:
            raise TypeError("add_gateway() takes parameters only with a gateway name, not with a Gateway")
        _core.session_add_gateway(self._p(), gw)

    def add_config(self, cfg: Config) -> None:
        _core.session_add_config(self._p(), cfg)

    def remove_gateway(self, name: str) -> None:
        _core.session_remove_gateway(self._p(), name)

    @property
    def gateways(self) -> list:
        """Gateway names in the order added."""
        p = self._p()
        names = (_core.session_gateway_name_at(p, i) for i in range(_core.session_gateway_count(p)))
        return [n for n in names if n is not None]

    def gateway_state(self, name: str) -> RegState:
        return RegState(_core.session_gateway_state(self._p(), name))

    def gateway_status(self, name: str) -> GatewayStatus:
        return GatewayStatus(_core.session_gateway_status(self._p(), name))

    def gateway_info(self, name: str) -> dict:
        """The gateway's full status (state, status, sip_code, expires, ping_ms, ...)."""
        return _json.loads(_core.session_gateway_json(self._p(), name))

    def register(self, name: str) -> None:
        """Registers a gateway now (``sofia profile P register GW``)."""
        _core.session_gateway_register(self._p(), name)

    def unregister(self, name: str) -> None:
        """Un-REGISTERs a gateway and leaves it DOWN."""
        _core.session_gateway_unregister(self._p(), name)

    # -- calls
    def dial(self, gateway: str, number: str, *, caller_number: Optional[str] = None,
             caller_name: Optional[str] = None, sdp: Optional[str] = None, checked: bool = False,
             media: bool = False) -> Call:
        """Dials a number through a gateway. Raises DialRefused (saying which
        rule refused it) or ChannelsBusy before any SIP is sent when the
        gateway's dial rule, the emergency refusal or max-channels say no.
        ``checked=True`` (``sc_session_dial_checked``) says your own routing
        already allowed the number. It replaces only a missing rule: when the
        gateway has ``dial-prefix`` or ``dial-pattern``, that rule is still
        enforced exactly as without ``checked`` (the number must match, and
        ``dial-format`` still says what is dialled); when it has neither,
        any number of digits (optionally with a leading ``+``) passes instead
        of being refused with ``no_rule``. Emergency numbers, malformed or too
        long numbers, a gateway that is not UP and full ``max-channels`` are
        refused either way. ``media=True`` offers the library's own SDP and
        runs the RTP (``sc_session_dial_media``; ``sdp`` is then not used)."""
        fn = _core.session_dial_checked if checked else _core.session_dial
        try:
            if media:
                return _core.session_dial_media(self._p(), gateway, number, caller_number, caller_name)[1]
            return fn(self._p(), gateway, number, caller_number, caller_name, sdp)[1]
        except DialRefused as e:
            e.gateway, e.number = gateway, number
            raise

    def find_call(self, call_id: int) -> Optional[Call]:
        try:
            return _core.session_find_call(self._p(), int(call_id))
        except NotFound:
            return None

    @property
    def calls(self) -> list:
        """The live calls, lowest id first (one snapshot)."""
        return _core.session_list_calls(self._p())

    @property
    def call_count(self) -> int:
        """Calls not yet ended."""
        return _core.session_call_count(self._p())

    # -- events
    @property
    def on_event(self) -> Optional[Callable[[Event], None]]:
        return self._on_event

    @on_event.setter
    def on_event(self, cb: Optional[Callable[[Event], None]]) -> None:
        if cb is not None and not callable(cb):
            raise TypeError("on_event must be callable or None")
        self._on_event = cb

    def _deliver(self, ev: Event, queue: bool) -> None:
        if queue:
            with self._cond:
                self._history.append(ev)
                self._cond.notify_all()
        for loop, q in list(self._subscribers):
            try:
                loop.call_soon_threadsafe(q.put_nowait, ev)
            except RuntimeError:   # loop closed
                pass
        cb = self._on_event
        if cb is not None:
            cb(ev)

    @property
    def event_fd(self) -> int:
        """Readable while events wait (QUEUE mode): for select/poll/asyncio."""
        return _core.session_event_fd(self._p())

    def dispatch(self, timeout: Optional[float] = 0) -> int:
        """QUEUE mode: runs ``on_event`` for waiting events on this thread,
        waiting up to ``timeout`` s for the first (None: until one comes or
        ``interrupt()``). The GIL is released while waiting. An exception
        raised by the callback propagates; the events after it stay queued.
        Returns the number of events dispatched."""
        if self._mode != Dispatch.QUEUE:
            raise StateError("dispatch() needs Dispatch.QUEUE", _core.ESTATE)
        n = 0
        ev = self._pull(timeout)
        while ev is not None:
            n += 1
            self._deliver(ev, queue=False)
            if self._ptr is None:
                break
            ev = self._pull(0)
        return n

    def _pull(self, timeout: Optional[float]) -> Optional[Event]:
        """QUEUE mode: the next event from the library (GIL released while waiting)."""
        deadline = None if timeout is None else _time.monotonic() + timeout
        while True:
            p = self._ptr
            if p is None:
                return None
            left = _SLICE if deadline is None else min(_SLICE, max(0.0, deadline - _time.monotonic()))
            ptr = _core.session_next_event(p, int(left * 1000))
            if ptr is not None:
                try:
                    return Event._from_ptr(ptr)
                finally:
                    _core.event_free(ptr)
            if self._interrupted:
                self._interrupted = False
                return None
            if deadline is not None and _time.monotonic() >= deadline:
                return None

    def next_event(self, timeout: Optional[float] = 0) -> Optional[Event]:
        """The next event, waiting up to ``timeout`` s (None: forever), or
        None. QUEUE mode: taken from the library without running ``on_event``.
        THREAD mode: events already given to ``on_event`` are also queued
        here (the last 4096)."""
        if self._mode == Dispatch.QUEUE:
            return self._pull(timeout)
        deadline = None if timeout is None else _time.monotonic() + timeout
        with self._cond:
            while not self._history:
                if self._ptr is None or self._interrupted:
                    self._interrupted = False
                    return None
                left = _SLICE if deadline is None else deadline - _time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(min(left, _SLICE))
            return self._history.popleft()

    def wait_for(self, predicate: Optional[Callable[[Event], bool]] = None,
                 timeout: Optional[float] = None) -> Optional[Event]:
        """Consumes events until one matches ``predicate`` (any event when
        None) and returns it; None after ``timeout`` s. QUEUE mode runs
        ``on_event`` for every event it consumes. Releases the GIL."""
        deadline = None if timeout is None else _time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - _time.monotonic())
            ev = self.next_event(left)
            if ev is None:
                return None
            if self._mode == Dispatch.QUEUE:
                self._deliver(ev, queue=False)
            if predicate is None or predicate(ev):
                return ev

    def wait_state(self, gateway: str, *states: RegState, timeout: Optional[float] = None) -> Event:
        """Waits for ``gateway`` to enter one of ``states`` and returns that
        gateway_state event. Raises ``GatewayFailed`` (with the ``reason``,
        e.g. ``Reason.AUTH`` for a wrong password) as soon as the gateway
        fails instead (FAILED, FAIL_WAIT or TIMEOUT, when none of them is
        among ``states``),
        ``Timeout`` after ``timeout`` s, ``Closed`` when the session stops
        or the gateway is removed."""
        if not states:
            raise TypeError("wait_state() needs at least one RegState")
        wanted = {RegState(st) for st in states}
        failing = frozenset() if wanted & _FAILED_STATES else _FAILED_STATES

        def decides(e: Event) -> bool:
            if e.type == EventType.SESSION_STOPPED:
                return True
            return e.gateway == gateway and (e.type == EventType.GATEWAY_REMOVED or (
                e.type == EventType.GATEWAY_STATE and (e.state in wanted or e.state in failing)))
        ev = self.wait_for(decides, timeout)
        if ev is None:
            if self._ptr is None:
                raise Closed("the session was closed while waiting for gateway %r" % gateway, _core.ECLOSED)
            raise Timeout("gateway %r did not reach %s within %g s"
                          % (gateway, " or ".join(st.name for st in sorted(wanted)), timeout), _core.ETIMEOUT)
        if ev.type == EventType.GATEWAY_STATE and ev.state in wanted:
            return ev
        if ev.type == EventType.GATEWAY_REMOVED:
            raise Closed("gateway %r was removed while waiting for it" % gateway, _core.ECLOSED)
        if ev.type == EventType.SESSION_STOPPED:
            raise Closed("the session stopped while waiting for gateway %r" % gateway, _core.ECLOSED)
        reason = ev.reason if ev.reason is not None else Reason.NONE
        detail = "%d %s" % (ev.sip_code, ev.phrase) if ev.sip_code else (ev.message or "")
        e = GatewayFailed("gateway %r failed (%s, reason %s)%s" % (gateway, ev.state.name, reason.name.lower(),
                                                                 ": " + detail if detail else ""), _core.ESIP)
        e.gateway, e.state, e.reason, e.event = gateway, ev.state, reason, ev
        raise e

    def interrupt(self) -> None:
        """Wakes a thread blocked in dispatch()/next_event()/wait_for(). Thread-safe."""
        self._interrupted = True
        with self._cond:
            self._cond.notify_all()
        p = self._ptr
        if p is not None:
            _core.session_interrupt(p)

    # -- asyncio
    def events(self):
        """``async for ev in session.events():`` on the running asyncio loop.
        Works in both modes (QUEUE mode: the loop watches ``event_fd`` and
        dispatches, so ``on_event`` runs on the loop's thread)."""
        from ._aio import EventStream
        return EventStream(self)

    async def wait_for_async(self, predicate: Optional[Callable[[Event], bool]] = None,
                             timeout: Optional[float] = None) -> Optional[Event]:
        """``await`` the first event matching ``predicate``; None after ``timeout`` s."""
        from ._aio import wait_for_async
        return await wait_for_async(self, predicate, timeout)

    def __repr__(self):
        if self._ptr is None:
            return "<skypeconnect.Session closed>"
        return "<skypeconnect.Session %s %s>" % ("running" if self.running else "stopped", self._mode.name)


@atexit.register
def _close_survivors():
    # Close live sessions before the interpreter finalizes, so no library
    # thread calls into a dying interpreter.
    for s in list(_live_sessions):
        try:
            s.close(timeout=0.5)
        except Exception:
            pass
