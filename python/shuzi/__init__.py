# SPDX-License-Identifier: Apache-2.0
"""shuzi: text to a talking avatar, from Python (ctypes over libshuzi).

A pure-Python wrapper of the C API in ``shuzi.h``; nothing is compiled at
install time. The library is found at first use (not at import) through the
``SHUZI_LIBRARY`` environment variable, ``ctypes.util.find_library("shuzi")``
or the soname ``libshuzi.so.0.1``; when none loads, the first call raises
:class:`LibraryNotFoundError` (a :class:`ShuziError`).

Example::

    import shuzi

    with shuzi.Engine() as engine, engine.session(voice="espeak:en-us",
            on_mark=lambda m: print(m.type.name, m.time_ms, m.value)) as s:
        s.add_output("hello.mp4")
        s.start()
        s.say("Hello from Python.")
        s.finish()

Threads: the mark, state and log callbacks run on the engine's threads, not
the thread that called :meth:`Session.say`; keep them short, guard shared
data with a lock (or hand it to a ``queue.Queue``) and never call
:meth:`Session.finish` or :meth:`Session.close` from inside one. An exception
a callback raises does not reach the engine: it is stored and raised again, as
:class:`CallbackError` with the original as ``__cause__``, by the next
:meth:`Session.finish` or :meth:`Session.close`.
"""
from __future__ import annotations

import enum
import os
import threading
import weakref
from ctypes import byref, c_void_p
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Union

from . import _native as _n
from ._native import (CallbackError, CancelledError, CodecError, FormatError, InternalError,
                      InvalidArgumentError, LibraryNotFoundError, NotFoundError,
                      OutOfMemoryError, ShuziError, ShuziIOError, ShuziTimeoutError, StateError,
                      UnsupportedError, struct_layout)

__all__ = [
    "Engine", "Session", "Voice", "Avatar", "Mark", "MarkType", "State", "Pacing", "LogLevel",
    "SessionStats", "OutputStats", "AudioDevice", "version", "strerror", "set_log_level",
    "set_log_callback", "list_audio_devices", "struct_layout",
    "ShuziError", "LibraryNotFoundError", "CallbackError", "InvalidArgumentError",
    "OutOfMemoryError", "ShuziIOError", "FormatError", "NotFoundError", "UnsupportedError",
    "StateError", "CodecError", "ShuziTimeoutError", "CancelledError", "InternalError",
]

PathLike = Union[str, "os.PathLike[str]"]


def version() -> str:
    """The library's version, ``sz_version()`` ("0.1.0")."""
    return _n.text(_n.lib().sz_version())


def __getattr__(name: str) -> Any:
    # shuzi.__version__ asks the library, so that importing never fails.
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'shuzi' has no attribute {name!r}")


def strerror(code: int) -> str:
    """``sz_strerror(code)``: the static English text of an sz_result code."""
    return _n.text(_n.lib().sz_strerror(code))


# ---- enums and records ------------------------------------------------------

class MarkType(enum.IntEnum):
    """sz_mark_type."""
    SENTENCE = 0
    WORD = 1
    PHONEME = 2
    VISEME = 3
    MARK = 4  # an SSML <mark name="..."/>


class State(enum.IntEnum):
    """sz_state."""
    IDLE = 0
    SPEAKING = 1
    INTERRUPTED = 2
    FINISHED = 3  # the session ended (finish or error)
    ERROR = 4     # a stage failed; see Session.last_error


class Pacing(enum.IntEnum):
    """sz_pacing."""
    OFFLINE = 0  # as fast as possible, deterministic, ends with finish
    LIVE = 1     # real-time clock, idle frames and silence between lines


class LogLevel(enum.IntEnum):
    """sz_log_level."""
    ERROR = 0
    WARN = 1
    INFO = 2
    DEBUG = 3


def _enum(cls: Any, v: int) -> Any:
    try:
        return cls(v)
    except ValueError:
        return v


@dataclass(frozen=True)
class Voice:
    """An installed voice (sz_voice_info); ``name`` is what ``voice=`` takes."""
    name: str
    kind: str
    language: str
    sample_rate_hz: int
    description: str


@dataclass(frozen=True)
class Avatar:
    """An installed avatar (sz_avatar_info); ``name`` is what ``avatar=`` takes."""
    name: str
    description: str
    style: str
    path: str
    kind: str


@dataclass(frozen=True)
class Mark:
    """A speech mark (sz_mark); times are on the session clock, in ms."""
    type: MarkType
    time_ms: int
    end_ms: int
    value: str
    utterance_id: int


@dataclass(frozen=True)
class SessionStats:
    """sz_session_stats."""
    frames_out: int
    frames_dropped: int
    underruns: int
    samples_out: int
    sample_rate_hz: int


@dataclass(frozen=True)
class OutputStats:
    """sz_output_stats of one output."""
    url: str
    connected: bool
    failed: bool
    closed: bool
    frames_written: int
    frames_dropped: int
    reconnects: int
    connect_failures: int
    connected_at_us: int
    late_frames: int
    audio_underruns: int
    audio_overflows: int
    av_offset_ms: float
    device_latency_ms: float
    audio_buffer_ms: float
    error: str


@dataclass(frozen=True)
class AudioDevice:
    """sz_audio_device: an audio output device ("speaker:#N" selects it)."""
    index: int
    name: str
    host_api: str
    max_output_channels: int
    default_sample_rate_hz: float
    default_latency_ms: float
    is_default: bool


# ---- logging ------------------------------------------------------------------

_log_cb: Optional[Any] = None  # the CFUNCTYPE object, kept alive while installed


def set_log_level(level: Union[LogLevel, int]) -> None:
    """Drops library messages above ``level`` (default WARN). Call at start-up."""
    _n.lib().sz_set_log_level(int(level))


def set_log_callback(fn: Optional[Callable[[LogLevel, str, str], None]]) -> None:
    """Sends library messages to ``fn(level, tag, message)``; None restores stderr.

    Call at start-up, before any engine exists. ``fn`` runs on engine threads;
    an exception it raises is printed to stderr and otherwise ignored.
    """
    global _log_cb
    lib = _n.lib()
    if fn is None:
        lib.sz_set_log_callback(_n.sz_log_fn(), None)
        _log_cb = None
        return

    def trampoline(level: int, tag: Optional[bytes], message: Optional[bytes], _u: Any) -> None:
        try:
            fn(_enum(LogLevel, level), _n.text(tag), _n.text(message))
        except BaseException:  # never unwind into C
            import traceback
            traceback.print_exc()

    cb = _n.sz_log_fn(trampoline)
    lib.sz_set_log_callback(cb, None)
    _log_cb = cb


def list_audio_devices() -> List[AudioDevice]:
    """The audio output devices (PortAudio); UnsupportedError without PortAudio."""
    lib = _n.lib()
    out: List[AudioDevice] = []

    def each(p: Any, _u: Any) -> int:
        d = p.contents
        out.append(AudioDevice(d.index, _n.text(d.name), _n.text(d.host_api),
                               d.max_output_channels, d.default_sample_rate_hz,
                               d.default_latency_ms, bool(d.is_default)))
        return 0

    rc = lib.sz_list_audio_devices(_n.sz_audio_device_fn(each), None)
    if rc != 0:
        raise _n.error(rc, "list audio devices")
    return out


# ---- engine -------------------------------------------------------------------

class Engine:
    """An engine (sz_engine): the voices, avatars and compute threads.

    Args:
        n_threads: threads for heavy compute; 0 = the number of cores.
        assets_dir: the shipped voices/avatars; None = the library's default
            (the prefix's share/shuzi, or SHUZI_ASSETS_DIR).

    Create and close it from one thread. :meth:`close` (or leaving a ``with``
    block) closes the sessions still open on it first.
    """

    def __init__(self, n_threads: int = 0, assets_dir: Optional[PathLike] = None) -> None:
        lib = _n.lib()
        self._handle: Optional[int] = None
        self._sessions: "weakref.WeakSet[Session]" = weakref.WeakSet()
        p = lib.sz_engine_default_params()
        p.n_threads = int(n_threads)
        self._assets = _n.cstr(os.fspath(assets_dir)) if assets_dir is not None else None
        if self._assets is not None:
            p.assets_dir = self._assets
        h = c_void_p()
        rc = lib.sz_engine_create(p, byref(h))
        if rc != 0:
            raise _n.error(rc, "create engine")
        self._handle = h.value

    def _h(self) -> int:
        if self._handle is None:
            raise StateError("the engine is closed", -7, "state")
        return self._handle

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran."""
        return self._handle is None

    @property
    def last_error(self) -> str:
        """``sz_engine_last_error``: why the last session creation failed ("" if none)."""
        return _n.text(_n.lib().sz_engine_last_error(self._h()))

    def voices(self) -> List[Voice]:
        """The installed voices."""
        out: List[Voice] = []

        def each(p: Any, _u: Any) -> int:
            v = p.contents
            out.append(Voice(_n.text(v.name), _n.text(v.kind), _n.text(v.language),
                             v.sample_rate_hz, _n.text(v.description)))
            return 0

        rc = _n.lib().sz_engine_list_voices(self._h(), _n.sz_voice_list_fn(each), None)
        if rc != 0:
            raise _n.error(rc, "list voices")
        return out

    def avatars(self) -> List[Avatar]:
        """The installed avatars, in name order."""
        out: List[Avatar] = []

        def each(p: Any, _u: Any) -> int:
            a = p.contents
            out.append(Avatar(_n.text(a.name), _n.text(a.description), _n.text(a.style),
                              _n.text(a.path), _n.text(a.kind)))
            return 0

        rc = _n.lib().sz_engine_list_avatars(self._h(), _n.sz_avatar_list_fn(each), None)
        if rc != 0:
            raise _n.error(rc, "list avatars")
        return out

    def session(self, **params: Any) -> "Session":
        """A new :class:`Session` on this engine; the keywords are Session's."""
        return Session(self, **params)

    def close(self) -> None:
        """Closes the sessions still open on it, then frees the engine. Idempotent."""
        if self._handle is None:
            return
        for s in list(self._sessions):
            s._free()
        h = c_void_p(self._handle)
        self._handle = None
        _n.lib().sz_engine_free(byref(h))

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<shuzi.Engine {'closed' if self._handle is None else hex(self._handle)}>"


# ---- session ------------------------------------------------------------------

MarkCallback = Callable[[Mark], None]
StateCallback = Callable[[State, int, int], None]

# keyword -> sz_session_params field, for the plain ones
_SIMPLE = {
    "width": int, "height": int, "fps": int, "seed": int, "speaking_rate": float,
    "voice_pitch": float, "voice_steps": int, "voice_temperature": float,
    "transparent_background": int, "avatar_x": float, "avatar_y": float,
    "avatar_scale": float, "overlay_x": float, "overlay_y": float, "overlay_width": float,
    "burn_subtitles": int, "lead_in_ms": float, "tail_ms": float,
}
_STRINGS = ("voice", "avatar", "background_image", "overlay_image", "subtitle_font")


def _rgb(v: Union[int, str]) -> int:
    if isinstance(v, str):
        s = v.strip().lstrip("#")
        if s.lower().startswith("0x"):
            s = s[2:]
        if len(s) != 6:
            raise InvalidArgumentError(f"background colour {v!r}: expected 0xRRGGBB or '#RRGGBB'",
                                       -1, "invalid argument")
        return int(s, 16)
    v = int(v)
    if not 0 <= v <= 0xFFFFFF:
        raise InvalidArgumentError(f"background colour {v:#x}: expected 0xRRGGBB", -1,
                                   "invalid argument")
    return v


class Session:
    """A session (sz_session): one voice and avatar rendering to outputs.

    The keywords mirror ``sz_session_params``; one left out (or None) keeps
    ``sz_session_default_params()``'s value.

    Args:
        engine: the :class:`Engine`.
        voice: a voice name ("espeak:en-us", "diffusion:kathleen"); None = default.
        avatar: an avatar name ("presenter"); None = default.
        width, height: video size in pixels, even numbers (1280x720).
        fps: frames per second (30).
        pacing: :class:`Pacing` or "offline"/"live" (offline).
        seed: idle motion and sampling seed; a fixed seed gives the same output.
        speaking_rate: 1.0 = the voice's normal rate.
        voice_pitch: multiplier of the voice's pitch (0 = 1; else 0.5 to 2).
        voice_steps, voice_temperature: diffusion voice sampling.
        background: the background colour, 0xRRGGBB or "#RRGGBB"
            (``background_rgb``; ``background_rgb=`` is accepted too).
        background_image: a PNG or JPEG covering the frame.
        transparent_background: alpha 0 behind the avatar (.webm/.mov outputs).
        avatar_x, avatar_y, avatar_scale: where the avatar's bottom centre goes
            and its scale, fractions of the frame.
        overlay_image, overlay_x, overlay_y, overlay_width: a product image or logo.
        burn_subtitles: draw the sentence being spoken; subtitle_font its font.
        lead_in_ms, tail_ms: offline idle time before the first / after the last line.
        on_mark: ``fn(mark: Mark)`` for each speech mark.
        on_state: ``fn(state: State, utterance_id: int, time_ms: int)`` on each
            state change.

    The callbacks run on engine threads (see the module's documentation); an
    exception they raise is kept and raised as :class:`CallbackError` by
    :meth:`finish` or :meth:`close`.

    Call :meth:`add_output`, :meth:`start` and :meth:`finish` from the thread
    that created the session; :meth:`say`, :meth:`interrupt`, :meth:`pause`,
    :meth:`set_expression`, :meth:`set_background`, :meth:`cancel` and the
    stats from any thread. As a context manager, leaving the block normally
    finishes a started session (raising its error) and closes it; leaving on
    an exception closes it without finishing (outputs are aborted).
    """

    def __init__(self, engine: Engine, *, on_mark: Optional[MarkCallback] = None,
                 on_state: Optional[StateCallback] = None,
                 pacing: Union[Pacing, str, int, None] = None,
                 background: Union[int, str, None] = None, **params: Any) -> None:
        lib = _n.lib()
        self._engine = engine  # keeps the engine alive while the session lives
        self._handle: Optional[int] = None
        self._started = False
        self._finished = False
        self._errors: List[BaseException] = []
        self._err_lock = threading.Lock()
        self._keep: List[Any] = []  # C strings and callbacks the library may point to
        p = lib.sz_session_default_params()
        for key, value in params.items():
            if value is None:
                continue
            if key in _STRINGS:
                b = _n.cstr(os.fspath(value) if isinstance(value, os.PathLike) else value)
                self._keep.append(b)
                setattr(p, key, b)
            elif key in _SIMPLE:
                setattr(p, key, _SIMPLE[key](value))
            elif key == "background_rgb":
                p.background_rgb = _rgb(value)
            else:
                raise TypeError(f"Session() got an unexpected keyword argument {key!r}")
        if background is not None:
            p.background_rgb = _rgb(background)
        if pacing is not None:
            try:
                p.pacing = int(Pacing[pacing.upper()] if isinstance(pacing, str)
                               else Pacing(pacing))
            except (KeyError, ValueError):
                raise InvalidArgumentError(f"pacing {pacing!r}: expected 'offline' or 'live'",
                                           -1, "invalid argument") from None
        if on_mark is not None:
            p.on_mark = self._mark_trampoline(on_mark)
        if on_state is not None:
            p.on_state = self._state_trampoline(on_state)
        h = c_void_p()
        rc = lib.sz_session_create(engine._h(), p, byref(h))
        if rc != 0:
            raise _n.error(rc, "create session", _n.text(lib.sz_engine_last_error(engine._h())))
        self._handle = h.value
        engine._sessions.add(self)

    # -- callbacks: run on engine threads; never let an exception into C --
    def _store(self, e: BaseException) -> None:
        with self._err_lock:
            self._errors.append(e)

    def _mark_trampoline(self, fn: MarkCallback) -> Any:
        store = self._store

        def tramp(p: Any, _u: Any) -> None:
            try:
                m = p.contents
                fn(Mark(_enum(MarkType, m.type), m.time_ms, m.end_ms, _n.text(m.value),
                        m.utterance_id))
            except BaseException as e:
                store(e)

        cb = _n.sz_mark_fn(tramp)
        self._keep.append(cb)
        return cb

    def _state_trampoline(self, fn: StateCallback) -> Any:
        store = self._store

        def tramp(state: int, utt: int, time_ms: int, _u: Any) -> None:
            try:
                fn(_enum(State, state), utt, time_ms)
            except BaseException as e:
                store(e)

        cb = _n.sz_state_fn(tramp)
        self._keep.append(cb)
        return cb

    def _raise_callback_error(self) -> None:
        with self._err_lock:
            errs, self._errors = self._errors, []
        if errs:
            more = f" (and {len(errs) - 1} more)" if len(errs) > 1 else ""
            raise CallbackError(f"a callback raised {type(errs[0]).__name__}: {errs[0]}{more}"
                                ) from errs[0]

    # -- plumbing --
    def _h(self) -> int:
        if self._handle is None:
            raise StateError("the session is closed", -7, "state")
        return self._handle

    def _check(self, rc: int, what: str) -> int:
        if rc < 0:
            detail = _n.text(_n.lib().sz_session_last_error(self._handle)) if self._handle else ""
            raise _n.error(rc, what, detail)
        return rc

    def _call(self, fname: str, *args: Any) -> int:
        lib = _n.lib()
        if not hasattr(lib, fname):
            raise UnsupportedError(f"{fname}: not in this libshuzi", -6, "unsupported")
        return getattr(lib, fname)(self._h(), *args)

    # -- the API --
    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran."""
        return self._handle is None

    @property
    def last_error(self) -> str:
        """``sz_session_last_error``: the first error, or ""."""
        return _n.text(_n.lib().sz_session_last_error(self._h()))

    def add_output(self, url: PathLike, options: Optional[str] = None) -> None:
        """Adds an output before :meth:`start` (a file, rtmp://, srt://, gst:, window:...).

        ``options`` is "key=value:key=value" (crf, preset, video_bitrate...)
        or None; see shuzi.h.
        """
        self._check(self._call("sz_session_add_output", _n.cstr(os.fspath(url)),
                               _n.cstr(options)), f"add output {os.fspath(url)}")

    def start(self) -> None:
        """Starts the pipeline threads."""
        self._check(self._call("sz_session_start"), "start")
        self._started = True

    def say(self, text: str, ssml: bool = False) -> int:
        """Queues text to speak after what is queued; returns the utterance id.

        With ``ssml=True`` the text is an SSML document (<speak>...</speak>).
        Thread-safe.
        """
        return self._check(self._call("sz_session_say", _n.cstr(text), 1 if ssml else 0), "say")

    def interrupt(self) -> None:
        """Drops everything scheduled after now (audio fades, mouth closes). Thread-safe."""
        self._check(self._call("sz_session_interrupt"), "interrupt")

    def pause(self, duration_ms: int) -> None:
        """Queues ``duration_ms`` (1..600000) of idle frames and silence. Thread-safe."""
        self._check(self._call("sz_session_pause", int(duration_ms)), "pause")

    def set_expression(self, name: str, weight: float = 1.0) -> None:
        """Queues an expression change: neutral, happy, angry, sad, relaxed or surprised,
        weight 0..1. Thread-safe."""
        self._check(self._call("sz_session_set_expression", _n.cstr(name), float(weight)),
                    f"set expression {name}")

    def set_background(self, rgb: Union[int, str] = 0, image: Optional[PathLike] = None) -> None:
        """Queues a background change: a colour (0xRRGGBB or "#RRGGBB"), or a
        PNG/JPEG image when ``image`` is given. Thread-safe."""
        img = _n.cstr(os.fspath(image)) if image is not None else None
        self._check(self._call("sz_session_set_background", _rgb(rgb), img), "set background")

    def cancel(self) -> None:
        """Stops the session now (from any thread); finish then raises CancelledError."""
        self._check(self._call("sz_session_cancel"), "cancel")

    def finish(self) -> None:
        """Waits until everything queued is rendered, then closes the outputs.

        Raises the session's first error, else a :class:`CallbackError` if a
        Python callback raised. Call it once, from the owner thread.
        """
        rc = self._call("sz_session_finish")
        self._finished = True
        self._check(rc, "finish")
        self._raise_callback_error()

    def stats(self) -> SessionStats:
        """``sz_session_get_stats``. Thread-safe."""
        st = _n.sz_session_stats()
        self._check(self._call("sz_session_get_stats", byref(st)), "stats")
        return SessionStats(st.frames_out, st.frames_dropped, st.underruns, st.samples_out,
                            st.sample_rate_hz)

    def output_stats(self, index: int = 0) -> OutputStats:
        """``sz_session_get_output_stats`` of output ``index`` (0 = the first added)."""
        o = _n.sz_output_stats()
        self._check(self._call("sz_session_get_output_stats", int(index), byref(o)),
                    f"output stats {index}")
        return OutputStats(_n.text(o.url), bool(o.connected), bool(o.failed), bool(o.closed),
                           o.frames_written, o.frames_dropped, o.reconnects, o.connect_failures,
                           o.connected_at_us, o.late_frames, o.audio_underruns,
                           o.audio_overflows, o.av_offset_ms, o.device_latency_ms,
                           o.audio_buffer_ms, _n.text(o.error))

    def _free(self) -> None:
        if self._handle is None:
            return
        h = c_void_p(self._handle)
        self._handle = None
        _n.lib().sz_session_free(byref(h))  # joins the threads: no callback runs after this
        try:
            self._engine._sessions.discard(self)
        except Exception:
            pass

    def close(self) -> None:
        """Frees the session (a running one is stopped and its outputs aborted).

        Raises :class:`CallbackError` if a Python callback raised and
        :meth:`finish` has not reported it. Idempotent.
        """
        self._free()
        self._keep.clear()
        self._raise_callback_error()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            try:
                if self._started and not self._finished and self._handle is not None:
                    self.finish()
            except BaseException:
                self._free()  # the finish error wins over a callback's
                self._keep.clear()
                raise
            self.close()
        else:
            self._free()
            self._keep.clear()
            with self._err_lock:
                self._errors = []  # the block's own exception wins

    def __del__(self) -> None:
        try:
            self._free()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<shuzi.Session {'closed' if self._handle is None else hex(self._handle)}>"
