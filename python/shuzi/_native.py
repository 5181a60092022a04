# SPDX-License-Identifier: Apache-2.0
"""ctypes mirror of include/shuzi.h: library loading, structs, prototypes.

Everything here follows shuzi.h field by field, in the same order and with the
same C types; ``struct_layout()`` reports the sizes and field offsets so a test
can compare them with what a C compiler says (tests/test_python.sh does).

The library is looked up, at first use (never at import), in this order:

1. the ``SHUZI_LIBRARY`` environment variable (a path or a soname),
2. ``ctypes.util.find_library("shuzi")``,
3. the soname ``libshuzi.so.0.1``.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double, c_float, c_int,
                    c_int64, c_uint32, c_uint64, c_void_p)
from typing import Dict, List, Optional, Tuple, Type

SONAME = "libshuzi.so.0.1"


class ShuziError(Exception):
    """An error reported by libshuzi (or the library could not be loaded).

    Attributes:
        code: the ``sz_result`` value (a negative int), or None when the error
            did not come from a libshuzi call (the library was not found, a
            Python callback raised...).
        reason: ``sz_strerror(code)``, the static text of the code ("" if none).
        detail: ``sz_session_last_error``/``sz_engine_last_error`` at the time
            of the failure ("" when the library gave none).
    """

    code: Optional[int] = None

    def __init__(self, message: str, code: Optional[int] = None, reason: str = "",
                 detail: str = "") -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.reason = reason
        self.detail = detail


class LibraryNotFoundError(ShuziError):
    """libshuzi could not be found or loaded (see SHUZI_LIBRARY)."""


class InvalidArgumentError(ShuziError):
    """SZ_ERR_INVALID_ARG: a parameter or input is not acceptable."""
    code = -1


class OutOfMemoryError(ShuziError):
    """SZ_ERR_NO_MEMORY."""
    code = -2


class ShuziIOError(ShuziError):
    """SZ_ERR_IO: a file or device could not be read or written."""
    code = -3


class FormatError(ShuziError):
    """SZ_ERR_FORMAT: outside data (a file, JSON, text) is malformed."""
    code = -4


class NotFoundError(ShuziError):
    """SZ_ERR_NOT_FOUND: unknown voice, avatar, file..."""
    code = -5


class UnsupportedError(ShuziError):
    """SZ_ERR_UNSUPPORTED: a valid request this build cannot do."""
    code = -6


class StateError(ShuziError):
    """SZ_ERR_STATE: the call is not allowed in the object's state."""
    code = -7


class CodecError(ShuziError):
    """SZ_ERR_CODEC: encoder or muxer failure."""
    code = -8


class ShuziTimeoutError(ShuziError):
    """SZ_ERR_TIMEOUT."""
    code = -9


class CancelledError(ShuziError):
    """SZ_ERR_CANCELLED: the session was cancelled (sz_session_cancel)."""
    code = -10


class InternalError(ShuziError):
    """SZ_ERR_INTERNAL."""
    code = -11


class CallbackError(ShuziError):
    """A Python callback (marks, state, log) raised; ``__cause__`` is the exception."""


ERRORS: Dict[int, Type[ShuziError]] = {
    cls.code: cls for cls in (InvalidArgumentError, OutOfMemoryError, ShuziIOError, FormatError,
                              NotFoundError, UnsupportedError, StateError, CodecError,
                              ShuziTimeoutError, CancelledError, InternalError)
}


# ---- structs (same order and types as shuzi.h) -----------------------------

class sz_engine_params(Structure):
    _fields_ = [("n_threads", c_int),
                ("assets_dir", c_char_p)]


class sz_voice_info(Structure):
    _fields_ = [("name", c_char_p),
                ("kind", c_char_p),
                ("language", c_char_p),
                ("sample_rate_hz", c_int),
                ("description", c_char_p)]


class sz_avatar_info(Structure):
    _fields_ = [("name", c_char_p),
                ("description", c_char_p),
                ("style", c_char_p),
                ("path", c_char_p),
                ("kind", c_char_p)]


class sz_mark(Structure):
    _fields_ = [("type", c_int),           # sz_mark_type
                ("time_ms", c_int64),
                ("end_ms", c_int64),
                ("value", c_char_p),
                ("utterance_id", c_int)]


sz_log_fn = CFUNCTYPE(None, c_int, c_char_p, c_char_p, c_void_p)
sz_voice_list_fn = CFUNCTYPE(c_int, POINTER(sz_voice_info), c_void_p)
sz_avatar_list_fn = CFUNCTYPE(c_int, POINTER(sz_avatar_info), c_void_p)
sz_mark_fn = CFUNCTYPE(None, POINTER(sz_mark), c_void_p)
sz_state_fn = CFUNCTYPE(None, c_int, c_int, c_int64, c_void_p)


class sz_session_params(Structure):
    _fields_ = [("voice", c_char_p),
                ("avatar", c_char_p),
                ("width", c_int),
                ("height", c_int),
                ("fps", c_int),
                ("pacing", c_int),            # sz_pacing
                ("seed", c_uint64),
                ("speaking_rate", c_float),
                ("voice_pitch", c_float),
                ("voice_steps", c_int),
                ("voice_temperature", c_float),
                ("background_rgb", c_uint32),
                ("background_image", c_char_p),
                ("transparent_background", c_int),
                ("avatar_x", c_float),
                ("avatar_y", c_float),
                ("avatar_scale", c_float),
                ("overlay_image", c_char_p),
                ("overlay_x", c_float),
                ("overlay_y", c_float),
                ("overlay_width", c_float),
                ("burn_subtitles", c_int),
                ("subtitle_font", c_char_p),
                ("lead_in_ms", c_double),
                ("tail_ms", c_double),
                ("on_mark", sz_mark_fn),
                ("on_mark_user_data", c_void_p),
                ("on_state", sz_state_fn),
                ("on_state_user_data", c_void_p)]


class sz_session_stats(Structure):
    _fields_ = [("frames_out", c_int64),
                ("frames_dropped", c_int64),
                ("underruns", c_int64),
                ("samples_out", c_int64),
                ("sample_rate_hz", c_int)]


class sz_output_stats(Structure):
    _fields_ = [("url", c_char_p),
                ("connected", c_int),
                ("failed", c_int),
                ("closed", c_int),
                ("frames_written", c_int64),
                ("frames_dropped", c_int64),
                ("reconnects", c_int64),
                ("connect_failures", c_int64),
                ("connected_at_us", c_int64),
                ("late_frames", c_int64),
                ("audio_underruns", c_int64),
                ("audio_overflows", c_int64),
                ("av_offset_ms", c_double),
                ("device_latency_ms", c_double),
                ("audio_buffer_ms", c_double),
                ("error", c_char * 256)]


class sz_audio_device(Structure):
    _fields_ = [("index", c_int),
                ("name", c_char_p),
                ("host_api", c_char_p),
                ("max_output_channels", c_int),
                ("default_sample_rate_hz", c_double),
                ("default_latency_ms", c_double),
                ("is_default", c_int)]


sz_audio_device_fn = CFUNCTYPE(c_int, POINTER(sz_audio_device), c_void_p)

PUBLIC_STRUCTS: Tuple[Type[Structure], ...] = (
    sz_engine_params, sz_voice_info, sz_avatar_info, sz_mark, sz_session_params,
    sz_session_stats, sz_output_stats, sz_audio_device)


def struct_layout() -> Dict[str, Tuple[int, Dict[str, int]]]:
    """{struct name: (sizeof, {field: offsetof})} of the mirrored structs."""
    return {s.__name__: (ctypes.sizeof(s), {f[0]: getattr(s, f[0]).offset for f in s._fields_})
            for s in PUBLIC_STRUCTS}


# ---- prototypes --------------------------------------------------------------

_P = c_void_p  # sz_engine * and sz_session * are opaque

_PROTOTYPES: List[Tuple[str, object, List[object]]] = [
    ("sz_strerror", c_char_p, [c_int]),
    ("sz_version", c_char_p, []),
    ("sz_set_log_callback", None, [sz_log_fn, c_void_p]),
    ("sz_set_log_level", None, [c_int]),
    ("sz_engine_default_params", sz_engine_params, []),
    ("sz_engine_create", c_int, [sz_engine_params, POINTER(_P)]),
    ("sz_engine_free", None, [POINTER(_P)]),
    ("sz_engine_last_error", c_char_p, [_P]),
    ("sz_engine_list_voices", c_int, [_P, sz_voice_list_fn, c_void_p]),
    ("sz_engine_list_avatars", c_int, [_P, sz_avatar_list_fn, c_void_p]),
    ("sz_mark_type_name", c_char_p, [c_int]),
    ("sz_state_name", c_char_p, [c_int]),
    ("sz_session_default_params", sz_session_params, []),
    ("sz_session_create", c_int, [_P, sz_session_params, POINTER(_P)]),
    ("sz_session_add_output", c_int, [_P, c_char_p, c_char_p]),
    ("sz_session_start", c_int, [_P]),
    ("sz_session_say", c_int, [_P, c_char_p, c_int]),
    ("sz_session_interrupt", c_int, [_P]),
    ("sz_session_pause", c_int, [_P, c_int]),
    ("sz_session_set_expression", c_int, [_P, c_char_p, c_float]),
    ("sz_session_set_background", c_int, [_P, c_uint32, c_char_p]),
    ("sz_session_cancel", c_int, [_P]),
    ("sz_session_finish", c_int, [_P]),
    ("sz_session_last_error", c_char_p, [_P]),
    ("sz_session_get_stats", c_int, [_P, POINTER(sz_session_stats)]),
    ("sz_session_get_output_stats", c_int, [_P, c_int, POINTER(sz_output_stats)]),
    ("sz_list_audio_devices", c_int, [sz_audio_device_fn, c_void_p]),
    ("sz_session_free", None, [POINTER(_P)]),
]

_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_load_error: Optional[str] = None


def _candidates() -> List[str]:
    names: List[str] = []
    env = os.environ.get("SHUZI_LIBRARY")
    if env:
        names.append(env)
    found = ctypes.util.find_library("shuzi")
    if found:
        names.append(found)
    names.append(SONAME)
    return names


def lib() -> ctypes.CDLL:
    """The loaded libshuzi with its prototypes set; raises LibraryNotFoundError.

    The first call loads it; a failure is remembered and raised again on each
    later call (set SHUZI_LIBRARY before the first use of the package).
    """
    global _lib, _load_error
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        if _load_error is not None:
            raise LibraryNotFoundError(_load_error)
        tried: List[str] = []
        handle: Optional[ctypes.CDLL] = None
        for name in _candidates():
            try:
                handle = ctypes.CDLL(name)
                break
            except OSError as e:
                tried.append(f"{name}: {e}")
        if handle is None:
            _load_error = ("libshuzi not found; install it (cmake --install) or set SHUZI_LIBRARY "
                           "to the path of libshuzi.so (tried " + "; ".join(tried) + ")")
            raise LibraryNotFoundError(_load_error)
        for fname, restype, argtypes in _PROTOTYPES:
            try:
                fn = getattr(handle, fname)
            except AttributeError:
                continue  # an older library: the wrapper reports UnsupportedError
            fn.restype = restype
            fn.argtypes = argtypes
        _lib = handle
        return _lib


def has(fname: str) -> bool:
    """Whether the loaded library exports ``fname``."""
    return hasattr(lib(), fname)


def text(b: Optional[bytes]) -> str:
    """A C string (bytes or None) as str."""
    return b.decode("utf-8", "replace") if b else ""


def cstr(s: Optional[str]) -> Optional[bytes]:
    """A str (or None) as a NUL-terminated UTF-8 C string."""
    if s is None:
        return None
    b = os.fsencode(s) if isinstance(s, os.PathLike) else str(s).encode("utf-8")
    if b"\0" in b:
        raise InvalidArgumentError("string contains a NUL character: %r" % (s,), -1,
                                   "invalid argument")
    return b


def error(code: int, what: str, detail: str = "") -> ShuziError:
    """The ShuziError subclass for an sz_result code, with sz_strerror's text."""
    reason = text(lib().sz_strerror(code))
    msg = f"{what}: {reason}" + (f": {detail}" if detail else "")
    return ERRORS.get(code, ShuziError)(msg, code, reason, detail)
