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
``core.session_start``); this module builds classes, enums and exceptions on it.

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
    "DialRefused", "ChannelsBusy", "InternalError",
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


class IOFailure(Error):
    """EIO: a file or socket operation failed."""


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


class Call:
    """A call (inbound or outbound). Holds a reference on the C call; getters
    keep answering after the call ended."""
    __slots__ = ("_ptr", "__weakref__")

    def __init__(self, ptr):
        if ptr is None:
            raise InvalidArgument("no call", _core.EINVAL)
        self._ptr = ptr

    def __del__(self):
        p, self._ptr = getattr(self, "_ptr", None), None
        if p is not None and _core is not None:
            _core.call_unref(p)

    def __eq__(self, other):
        return isinstance(other, Call) and int(self._ptr) == int(other._ptr)

    def __hash__(self):
        return hash(int(self._ptr))

    def __repr__(self):
        return "<skypeconnect.Call %d %s %s %s>" % (self.id, self.direction.name.lower(),
                                                     self.destination, self.state.name)

    id = property(lambda self: _core.call_id(self._ptr), doc="The call's number in its session (from 1).")
    direction = property(lambda self: CallDirection(_core.call_direction_of(self._ptr)))
    state = property(lambda self: CallState(_core.call_state_of(self._ptr)), doc="Current CallState.")
    gateway = property(lambda self: _core.call_gateway(self._ptr))
    matched_by = property(lambda self: _core.call_matched_by(self._ptr),
                          doc='How an inbound call was tied to its gateway ("gw_param", ..., "source_address").')
    destination = property(lambda self: _core.call_destination(self._ptr))
    caller_number = property(lambda self: _core.call_caller_number(self._ptr))
    caller_name = property(lambda self: _core.call_caller_name(self._ptr))
    sip_call_id = property(lambda self: _core.call_sip_call_id(self._ptr))
    to = property(lambda self: _core.call_to(self._ptr))
    source = property(lambda self: _core.call_source(self._ptr))
    remote_sdp = property(lambda self: _core.call_remote_sdp(self._ptr), doc="The peer's latest SDP, or None.")
    sip_code = property(lambda self: _core.call_sip_code(self._ptr))
    cause = property(lambda self: _core.call_cause(self._ptr), doc='Q.850 cause name once ended, else "".')
    hangup_side = property(lambda self: HangupSide(_core.call_hangup_side(self._ptr)))

    def header(self, name: str) -> Optional[str]:
        """A header of the initial INVITE (all values joined with ", "), or None."""
        return _core.call_header(self._ptr, name)

    def to_json(self) -> str:
        return _core.call_to_json(self._ptr)

    def to_dict(self) -> dict:
        return _json.loads(self.to_json())

    def ring(self) -> None:
        """Inbound: sends 180 Ringing."""
        _core.call_ring(self._ptr)

    def early_media(self, sdp: str) -> None:
        """Inbound: 183 Session Progress with the application's SDP."""
        _core.call_early_media(self._ptr, sdp)

    def answer(self, sdp: str) -> None:
        """Inbound: answers (200 OK) with the application's SDP."""
        _core.call_answer(self._ptr, sdp)

    def reject(self, sip_code: int = 486, phrase: Optional[str] = None) -> None:
        """Inbound: rejects with a SIP status 400..699."""
        _core.call_reject(self._ptr, int(sip_code), phrase)

    def redirect(self, target: str) -> None:
        """Inbound: redirects (302) to a SIP URI."""
        _core.call_redirect(self._ptr, target)

    def hangup(self) -> None:
        """Hangs up at any moment (BYE, CANCEL or 480); idempotent."""
        _core.call_hangup(self._ptr)

    def send_dtmf(self, digits: str) -> None:
        """Sends DTMF digits: RFC 4733 when the call has media and telephone-event
        was negotiated, SIP INFO otherwise."""
        _core.call_send_dtmf(self._ptr, digits)

    # -- the library's media (Session.enable_media() before start)
    def answer_media(self) -> None:
        """Inbound: answers with the library's own SDP and RTP. Raises (the call
        rejected with 488) when the offer has no codec in common."""
        _core.call_answer_media(self._ptr)

    def progress_media(self) -> None:
        """Inbound: 183 with the library's SDP (early media: play before answering)."""
        _core.call_progress_media(self._ptr)

    def play(self, path: str, loop: bool = False) -> None:
        """Plays a file (any format GStreamer decodes) to the far end."""
        _core.call_play(self._ptr, path, int(bool(loop)))

    def play_tone(self, hz: int, ms: int, loop: bool = False) -> None:
        """Plays a sine tone."""
        _core.call_play_tone(self._ptr, int(hz), int(ms), int(bool(loop)))

    def record(self, path: str) -> None:
        """Records what the far end sends to a 16-bit PCM WAV file."""
        _core.call_record(self._ptr, path)

    def stop(self) -> None:
        """Stops playing and recording."""
        _core.call_stop_media(self._ptr)

    def set_audio(self, on: bool = True) -> None:
        """Turns AUDIO events on: each carries 20 ms of received PCM in ``event.pcm``."""
        _core.call_set_audio(self._ptr, int(bool(on)))

    def write(self, pcm: bytes) -> None:
        """Queues PCM to send (16-bit mono at 8 kHz, native byte order), mixed with what plays."""
        _core.call_write_audio(self._ptr, pcm)

    def hold(self, on: bool = True) -> None:
        """Puts the call on hold (re-INVITE, sendonly) or takes it off hold."""
        _core.call_hold(self._ptr, int(bool(on)))

    def media_stats(self) -> dict:
        """packets_sent, packets_received, packets_lost, jitter_ms, codec, local, remote."""
        return _json.loads(_core.call_media_stats_json(self._ptr))


class Event:
    """One event, read-only. ``type`` is an ``EventType``; gateway events carry
    ``state``/``prev_state`` (``RegState``), ``status``, ``reason``...; call
    events carry ``call`` (a ``Call``) and ``call_state``."""
    __slots__ = ("type", "gateway", "state", "prev_state", "status", "sip_code", "phrase", "reason",
                 "expires", "next_retry", "failures", "call", "call_id", "call_state", "cause", "number",
                 "refusal", "message", "source", "time_us", "json", "text", "context", "route_json", "pcm")

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
        self.call = Call(fields["call"]) if fields["call"] is not None else None
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

    @classmethod
    def _from_ptr(cls, ptr) -> "Event":
        return cls(_core._event_fields(ptr))

    @property
    def time(self) -> float:
        """Wall-clock time, seconds since the epoch."""
        return self.time_us / 1e6

    @property
    def digit(self) -> Optional[str]:
        """The digit of a DTMF event ("5", "#"), else None."""
        return self.to_dict().get("digit") if self.type == EventType.DTMF else None

    @property
    def dtmf_method(self) -> Optional[str]:
        """How the digit came: "rfc4733", "info" or "inband"; else None."""
        return self.to_dict().get("method") if self.type == EventType.DTMF else None

    def to_dict(self) -> dict:
        return _json.loads(self.json)

    def __repr__(self):
        return "<skypeconnect.Event %s>" % (self.text or self.json)

# --------------------------------------------------------------------------- configuration


def _param_name(key: str) -> str:
    return key.replace("_", "-")


class Gateway:
    """A gateway's configuration (FreeSWITCH ``<gateway>`` params).

    ``Gateway("skype", proxy="...", dial_prefix="00")`` (``_`` becomes ``-``),
    or ``gw["dial-prefix"] = "00"``; ``gw["from-user"]`` is the effective value.
    """
    __slots__ = ("_ptr",)

    def __init__(self, name: str, params: Optional[dict] = None, **kw):
        self._ptr = _core.gateway_new(name)
        for k, v in dict(params or {}, **{_param_name(k): v for k, v in kw.items()}).items():
            self.set(k, v)

    @classmethod
    def _adopt(cls, ptr) -> "Gateway":
        g = cls.__new__(cls)
        g._ptr = ptr
        return g

    def __del__(self):
        p, self._ptr = getattr(self, "_ptr", None), None
        if p is not None and _core is not None:
            _core.gateway_free(p)

    @property
    def name(self) -> str:
        return _core.gateway_name(self._ptr)

    def set(self, param: str, value) -> None:
        """Sets a parameter (bool becomes "true"/"false"); NotFound / InvalidArgument."""
        if isinstance(value, bool):
            value = "true" if value else "false"
        _core.gateway_set(self._ptr, param, str(value))

    def get(self, param: str) -> str:
        """The effective value ("" unset; the password reads "<hidden>")."""
        return _core.gateway_get(self._ptr, param)

    __setitem__ = set
    __getitem__ = get

    def validate(self) -> None:
        """Checks the parameters against each other; ConfigError."""
        _core.gateway_validate(self._ptr)

    @property
    def warnings(self) -> list:
        """Values corrected and params ignored by ``set``."""
        w = _core.gateway_warnings(self._ptr)
        return w.splitlines() if w else []

    def copy(self) -> "Gateway":
        return Gateway._adopt(_core.gateway_copy(self._ptr))

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


class Config:
    """Gateways loaded from FreeSWITCH XML, with line-accurate diagnostics."""
    __slots__ = ("_ptr",)

    def __init__(self, path: Optional[str] = None):
        self._ptr = _core.config_new()
        if path is not None:
            self.load_file(path)

    @classmethod
    def from_string(cls, xml: str, source_name: str = "<string>") -> "Config":
        c = cls()
        c.load_string(xml, source_name)
        return c

    def __del__(self):
        p, self._ptr = getattr(self, "_ptr", None), None
        if p is not None and _core is not None:
            _core.config_free(p)

    def _attach(self, e: Error) -> None:
        e.diagnostics = self.diagnostics

    def load_file(self, path: str) -> None:
        """Loads the gateways of one XML file. ConfigError/ParseError carry ``diagnostics``."""
        try:
            _core.config_load_file(self._ptr, path)
        except Error as e:
            self._attach(e)
            raise

    def load_string(self, xml: str, source_name: str = "<string>") -> None:
        try:
            _core.config_load_string(self._ptr, xml, source_name)
        except Error as e:
            self._attach(e)
            raise

    def add_gateway(self, gw: Gateway) -> None:
        _core.config_add_gateway(self._ptr, gw._ptr)

    def __len__(self):
        return _core.config_gateway_count(self._ptr)

    @property
    def gateways(self) -> list:
        """Copies of the gateways, in file order."""
        return [Gateway._adopt(_core.gateway_copy(_core.config_gateway_at(self._ptr, i)))
                for i in range(len(self))]

    def find_gateway(self, name: str) -> Gateway:
        """A copy of the gateway of that name; NotFound."""
        return Gateway._adopt(_core.gateway_copy(_core.config_find_gateway(self._ptr, name)))

    def __getitem__(self, name: str) -> Gateway:
        return self.find_gateway(name)

    @property
    def error_count(self) -> int:
        return _core.config_error_count(self._ptr)

    @property
    def diagnostics(self) -> list:
        p = self._ptr
        return [Diagnostic(_enum(DiagSeverity, _core.config_diag_severity(p, i)), _core.config_diag_file(p, i),
                           _core.config_diag_line(p, i), _core.config_diag_column(p, i),
                           _core.config_diag_gateway(p, i), _core.config_diag_param(p, i),
                           _core.config_diag_message(p, i), _core.config_diag_text(p, i))
                for i in range(_core.config_diag_count(p))]

# --------------------------------------------------------------------------- rules and policy


class DialRule:
    """Which numbers may go out, and as what. ``DialRule.prefix("00")`` or
    ``DialRule.pattern(r"^9(\\d+)$", "+$1")``; emergency numbers are always refused."""
    __slots__ = ("_ptr",)

    def __init__(self, prefix: Optional[str] = None, *, pattern: Optional[str] = None,
                 format: Optional[str] = None, emergency_country: Optional[str] = None,
                 emergency_numbers: Optional[str] = None):
        if (prefix is None) == (pattern is None):
            raise InvalidArgument("give exactly one of prefix and pattern", _core.EINVAL)
        self._ptr = (_core.dialrule_new_prefix(prefix) if prefix is not None
                     else _core.dialrule_new_pattern(pattern, format))
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

    def __del__(self):
        p, self._ptr = getattr(self, "_ptr", None), None
        if p is not None and _core is not None:
            _core.dialrule_free(p)

    def set_emergency_country(self, country: str) -> None:
        _core.dialrule_set_emergency_country(self._ptr, country)

    def add_emergency(self, numbers: str) -> None:
        _core.dialrule_add_emergency(self._ptr, numbers)

    def check(self, number: str) -> str:
        """The number to dial; DialRefused (with ``refusal`` and ``rule``) when refused."""
        try:
            return _core.dialrule_check(self._ptr, number)[1]
        except DialRefused as e:
            e.number, e.rule = number, self.description
            raise

    def allows(self, number: str) -> bool:
        try:
            self.check(number)
            return True
        except DialRefused:
            return False

    def is_emergency(self, number: str) -> bool:
        return bool(_core.dialrule_is_emergency(self._ptr, number))

    @property
    def description(self) -> str:
        return _core.dialrule_describe(self._ptr)

    def __str__(self):
        return self.description

    def __repr__(self):
        return "<skypeconnect.DialRule %s>" % self.description


class Policy:
    """A gateway's trunk policy without a SIP stack (dial rule, emergency
    refusal, channel count), shared process-wide by gateway name. Made for
    hosts that carry the SIP themselves (FreeSWITCH)."""
    __slots__ = ("_ptr", "__weakref__")

    def __init__(self, ptr):
        self._ptr = ptr

    @classmethod
    def load(cls, gateway_xml_path: str, gateway_name: str) -> "Policy":
        """The policy of that gateway; the same shared object on every call."""
        return cls(_core.policy_load(gateway_xml_path, gateway_name))

    @classmethod
    def from_gateway(cls, gw: Gateway) -> "Policy":
        """Registers a gateway built in code; AlreadyExists when the name is taken."""
        return cls(_core.policy_from_gateway(gw._ptr))

    @classmethod
    def get(cls, gateway_name: str) -> "Policy":
        """The registered policy of that name; NotFound."""
        return cls(_core.policy_get(gateway_name))

    @staticmethod
    def registered_count() -> int:
        return _core.policy_registered_count()

    def close(self) -> None:
        """Drops this reference now (else the garbage collector does)."""
        p, self._ptr = self._ptr, None
        if p is not None:
            _core.policy_unref(p)

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _p(self):
        if self._ptr is None:
            raise Closed("policy is closed", _core.ECLOSED)
        return self._ptr

    name = property(lambda self: _core.policy_name(self._p()))
    source = property(lambda self: _core.policy_source(self._p()))
    description = property(lambda self: _core.policy_describe(self._p()), doc='The dial rule as text, "" when none.')
    refcount = property(lambda self: _core.policy_refcount(self._p()))
    max_channels = property(lambda self: _core.policy_max_channels(self._p()))
    channels_in_use = property(lambda self: _core.policy_channels_in_use(self._p()))

    def check(self, number: str) -> str:
        """The number to dial, exactly as a session would; DialRefused otherwise."""
        try:
            return _core.policy_check(self._p(), number)[1]
        except DialRefused as e:
            e.gateway, e.number, e.rule = self.name, number, self.description
            raise

    def allows(self, number: str) -> bool:
        try:
            self.check(number)
            return True
        except DialRefused:
            return False

    def acquire_channel(self) -> None:
        """Takes a channel; ChannelsBusy when all max-channels are in use."""
        _core.policy_acquire_channel(self._p())

    def release_channel(self) -> None:
        _core.policy_release_channel(self._p())

    def channel(self):
        """``with policy.channel(): ...`` holds one channel for the block."""
        return _ChannelHold(self)

    def __repr__(self):
        return "<skypeconnect.Policy %r>" % (self.name if self._ptr is not None else "(closed)")


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


class Trunk:
    """The built-in loopback trunk: a registrar with digest auth and a PSTN
    that answers dial-outs (by the number's last digit), for demos and tests."""
    __slots__ = ("_ptr",)

    def __init__(self, listen: str = "127.0.0.1:0", user: str = "user", password: str = "secret"):
        self._ptr = _core.trunk_new(listen, user, password)

    def close(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p is not None and _core is not None:
            _core.trunk_free(p)

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    port = property(lambda self: _core.trunk_port(self._ptr))
    address = property(lambda self: _core.trunk_address(self._ptr), doc='"HOST:PORT" for a gateway\'s proxy.')

    def set_fault(self, fault: TrunkFault, param: int = 0) -> None:
        _core.trunk_set_fault(self._ptr, int(fault), int(param))

    def set_expires(self, seconds: int) -> None:
        _core.trunk_set_expires(self._ptr, int(seconds))

    def set_ring_seconds(self, seconds: int) -> None:
        _core.trunk_set_ring_seconds(self._ptr, int(seconds))

    def is_registered(self, user: str) -> bool:
        return bool(_core.trunk_is_registered(self._ptr, user))

    def place_call(self, user: str, caller_number: str) -> None:
        _core.trunk_place_call(self._ptr, user, caller_number)

    def hangup_all(self) -> None:
        _core.trunk_hangup_all(self._ptr)

    def log(self) -> list:
        """What the trunk has seen: one dict per SIP request."""
        text = _core.trunk_log(self._ptr) or ""
        return [_json.loads(line) for line in text.splitlines() if line.strip()]

    def count(self, what: str) -> int:
        return _core.trunk_count(self._ptr, what)


Action = namedtuple("Action", "app data extension origin")


class CallFields:
    """The call fields a dialplan decides on (destination_number, caller_id_number, ...)."""
    __slots__ = ("_ptr",)

    def __init__(self, fields: Optional[dict] = None, **kw):
        self._ptr = _core.call_fields_new()
        for k, v in dict(fields or {}, **kw).items():
            self[k] = v

    def __del__(self):
        p, self._ptr = getattr(self, "_ptr", None), None
        if p is not None and _core is not None:
            _core.call_fields_free(p)

    def __setitem__(self, name: str, value: str) -> None:
        _core.call_fields_set(self._ptr, name, str(value))

    def __getitem__(self, name: str) -> str:
        v = _core.call_fields_get(self._ptr, name)
        if v is None:
            raise KeyError(name)
        return v

    def get(self, name: str, default=None):
        v = _core.call_fields_get(self._ptr, name)
        return default if v is None else v


class Route:
    """A routing decision: ``actions`` (Action(app, data, extension, origin)) and ``explain``."""
    __slots__ = ("_ptr",)

    def __init__(self, ptr):
        self._ptr = ptr

    def __del__(self):
        p, self._ptr = getattr(self, "_ptr", None), None
        if p is not None and _core is not None:
            _core.route_free(p)

    def __len__(self):
        return _core.route_action_count(self._ptr)

    @property
    def actions(self) -> list:
        p = self._ptr
        return [Action(_core.route_action_app(p, i), _core.route_action_data(p, i),
                       _core.route_action_extension(p, i), _core.route_action_origin(p, i))
                for i in range(len(self))]

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions)

    @property
    def explain(self) -> str:
        return _core.route_explain(self._ptr)

    def to_json(self) -> str:
        return _core.route_to_json(self._ptr)

    def to_dict(self) -> dict:
        return _json.loads(self.to_json())


class Dialplan:
    """FreeSWITCH dialplan XML, and what it would do with a call (the same engine as C and Lua)."""
    __slots__ = ("_ptr",)

    def __init__(self):
        self._ptr = _core.dialplan_new()

    def __del__(self):
        p, self._ptr = getattr(self, "_ptr", None), None
        if p is not None and _core is not None:
            _core.dialplan_free(p)

    def load_file(self, path: str, default_context: Optional[str] = None) -> None:
        _core.dialplan_load_file(self._ptr, path, default_context)

    def load_string(self, xml: str, source_name: str = "<string>", default_context: Optional[str] = None) -> None:
        _core.dialplan_load_string(self._ptr, xml, source_name, default_context)

    def load_dir(self, path: str) -> None:
        _core.dialplan_load_dir(self._ptr, path)

    @property
    def diagnostics(self) -> list:
        return [_core.dialplan_diag_text(self._ptr, i) for i in range(_core.dialplan_diag_count(self._ptr))]

    @property
    def error_count(self) -> int:
        return _core.dialplan_error_count(self._ptr)

    def has_context(self, context: str) -> bool:
        return bool(_core.dialplan_has_context(self._ptr, context))

    __contains__ = has_context

    def route(self, context: str, fields=None, **kw) -> Route:
        """Decides what the dialplan does with a call: ``dp.route("public", destination_number="0044...")``."""
        if not isinstance(fields, CallFields):
            fields = CallFields(fields, **kw)
        return Route(_core.dialplan_route(self._ptr, context, fields._ptr)[1])

# --------------------------------------------------------------------------- session

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
                 inbound_acl: Optional[str] = None, gateways: Iterable = ()):
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
        _core.session_add_gateway(self._p(), gw._ptr)

    def add_config(self, cfg: Config) -> None:
        _core.session_add_config(self._p(), cfg._ptr)

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
                return Call(_core.session_dial_media(self._p(), gateway, number, caller_number, caller_name)[1])
            return Call(fn(self._p(), gateway, number, caller_number, caller_name, sdp)[1])
        except DialRefused as e:
            e.gateway, e.number = gateway, number
            raise

    def find_call(self, call_id: int) -> Optional[Call]:
        try:
            return Call(_core.session_find_call(self._p(), int(call_id)))
        except NotFound:
            return None

    @property
    def calls(self) -> list:
        """The live calls, lowest id first (one snapshot)."""
        return [Call(p) for p in _core.session_list_calls(self._p())]

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

    def wait_state(self, gateway: str, *states: RegState, timeout: Optional[float] = None) -> Optional[Event]:
        """Waits for a gateway_state event of ``gateway`` entering one of ``states``."""
        return self.wait_for(lambda e: e.type == EventType.GATEWAY_STATE and e.gateway == gateway
                             and e.state in states, timeout)

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
