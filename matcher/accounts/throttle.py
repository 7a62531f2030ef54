"""Login throttling per account, shared by every worker and every credential endpoint.

Why not Flask-Limiter alone: its limits are checked before the view and deducted after it,
so concurrent wrong guesses on several workers all pass the check (more than N guesses
get answered), it cannot lengthen a lockout after repeated failures, and its key function
runs before the posted email is parsed by the endpoint's schema. So the per-account rule is
this module: an atomic Lua script on the shared Redis (``redis-py``, the client Flask-Limiter's
storage uses), or an in-process store when Redis is not reachable. Flask-Limiter still
limits each address (``web/extensions.py``; loose, counting only failed checks).

The rule, per account (the email tried, trimmed and lowercased, stored only as a hash;
unknown emails are throttled like real ones, so answers do not reveal which exist):

- every credential check first *reserves* a slot: at most ``attempts`` (10) checks that
  were not successful in any sliding ``window`` (15 minutes), in-flight ones included;
- a check that succeeds gives its slot back (successes never count);
- the failure that fills the window locks the account for ``window × 2^(n-1)`` (15, 30,
  60 ... minutes, at most ``max_lockout``, 24 h), n = the lockouts since its last success;
- while locked, every attempt, even the right password, is refused (429
  ``too_many_attempts`` with ``Retry-After``) *for that account only*: other accounts from
  the same address are not affected.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import redis
from limits import parse

from matcher.errors import DomainError
from matcher.words import msg

log = logging.getLogger(__name__)
T = TypeVar("T")
MEMORY = "memory://"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class TooManyAttempts(DomainError):
    """Too many failed logins for this account: refused until ``retry_after`` seconds pass."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(msg("Too many failed logins for this account; try again in "
                             "%(minutes)s min.", minutes=minutes))
        self.retry_after = retry_after


@dataclass(frozen=True)
class Policy:
    """Failed checks allowed per sliding window, and the longest lockout (seconds)."""

    attempts: int = 10
    window: int = 900
    max_lockout: int = 86_400

    @classmethod
    def parse(cls, limit: str, max_lockout: int = 86_400) -> Policy:
        """From a limits string such as ``10 per 15 minutes``."""
        item = parse(limit)
        return cls(item.amount, item.get_expiry(), max_lockout)

    def lockout(self, level: int) -> int:
        """Seconds of the ``level``-th lockout (1, 2, ...): the window, doubled each time."""
        return min(self.window * 2 ** max(0, level - 1), self.max_lockout)


class Backend(Protocol):
    """Counter storage; times in milliseconds."""

    def reserve(self, key: str, ticket: str, now: int, policy: Policy) -> int:
        """0 and the ticket counted, or the milliseconds until a slot frees."""

    def failed(self, key: str, now: int, policy: Policy) -> None:
        """The reserved check failed: lock the account if its window is full."""

    def succeeded(self, key: str, ticket: str, reset: bool = True) -> None:
        """The check succeeded (``reset``: the back-off restarts) or did not happen: give the
        slot back."""


@dataclass
class _Account:
    fails: dict[str, int] = field(default_factory=dict)
    lock_until: int = 0
    level: int = 0


class MemoryBackend:
    """Per-process counters (one worker only: the fallback when Redis is unreachable)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, _Account] = {}

    def _get(self, key: str, now: int, window_ms: int) -> _Account:
        acc = self._accounts.setdefault(key, _Account())
        acc.fails = {t: at for t, at in acc.fails.items() if at > now - window_ms}
        return acc

    def reserve(self, key: str, ticket: str, now: int, policy: Policy) -> int:
        """See :class:`Backend`."""
        with self._lock:
            acc = self._get(key, now, policy.window * 1000)
            if acc.lock_until > now:
                return acc.lock_until - now
            if len(acc.fails) >= policy.attempts:
                return min(acc.fails.values()) + policy.window * 1000 - now
            acc.fails[ticket] = now
            return 0

    def failed(self, key: str, now: int, policy: Policy) -> None:
        """See :class:`Backend`."""
        with self._lock:
            acc = self._get(key, now, policy.window * 1000)
            if len(acc.fails) >= policy.attempts and acc.lock_until <= now:
                acc.level += 1
                acc.lock_until = now + policy.lockout(acc.level) * 1000

    def succeeded(self, key: str, ticket: str, reset: bool = True) -> None:
        """See :class:`Backend`."""
        with self._lock:
            acc = self._accounts.get(key)
            if acc is not None:
                acc.fails.pop(ticket, None)
                acc.level = 0 if reset else acc.level


# Times are the workers' clocks in ms (the lock key holds its end time; its TTL only cleans up).
_RESERVE = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local locked = tonumber(redis.call('GET', KEYS[2]) or '0')
if locked > now then return locked - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""
_FAILED = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local locked = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) and locked <= now then
  local level = redis.call('INCR', KEYS[3])
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[4]) * 2)
  local lock = math.floor(math.min(window * 2 ^ (level - 1), tonumber(ARGV[4])))
  redis.call('SET', KEYS[2], string.format('%.0f', now + lock), 'PX', lock + 60000)
end
return 0
"""


class RedisBackend:
    """Counters on Redis shared by every worker; each step is one atomic Lua script."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._reserve = client.register_script(_RESERVE)
        self._failed = client.register_script(_FAILED)

    @staticmethod
    def _keys(key: str) -> list[str]:
        return [f"{key}:fails", f"{key}:lock", f"{key}:level"]

    def reserve(self, key: str, ticket: str, now: int, policy: Policy) -> int:
        """See :class:`Backend`."""
        keys = self._keys(key)[:2]
        return int(self._reserve(keys=keys, args=[now, policy.window * 1000, policy.attempts,
                                                  ticket]))

    def failed(self, key: str, now: int, policy: Policy) -> None:
        """See :class:`Backend`."""
        self._failed(keys=self._keys(key), args=[now, policy.window * 1000, policy.attempts,
                                                  policy.max_lockout * 1000])

    def succeeded(self, key: str, ticket: str, reset: bool = True) -> None:
        """See :class:`Backend`."""
        fails, _, level = self._keys(key)
        pipe = self.client.pipeline()
        pipe.zrem(fails, ticket)
        if reset:
            pipe.delete(level)
        pipe.execute()


@functools.cache
def resolve_storage(uri: str) -> str:
    """``uri`` if it is memory:// or a Redis that answers now; else memory:// with a warning."""
    if not uri.startswith(REDIS_SCHEMES):
        return uri
    try:
        redis.Redis.from_url(uri, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.RedisError, OSError) as exc:
        log.warning("rate-limit storage %s is not reachable (%s): login limits fall back to "
                    "per-process memory://, so each worker counts on its own", uri, exc)
        return MEMORY
    return uri


class Throttle:
    """The per-account login rule over one storage (see the module docstring)."""

    def __init__(self, storage_uri: str, prefix: str, policy: Policy,
                 clock: Callable[[], float] = time.time) -> None:
        self.policy, self.prefix, self.clock = policy, prefix, clock
        self.memory = MemoryBackend()
        self.backend: Backend = self.memory
        if storage_uri.startswith(REDIS_SCHEMES):
            self.backend = RedisBackend(redis.Redis.from_url(
                storage_uri, socket_connect_timeout=1, socket_timeout=2))

    def key(self, email: str) -> str:
        """The storage key of an account (a hash of the normalised email, never the email)."""
        norm = (email or "").strip().lower()
        return f"{self.prefix}:acct:{hashlib.sha256(norm.encode()).hexdigest()[:32]}"

    def _call(self, step: Callable[[Backend], T]) -> T:
        try:
            return step(self.backend)
        except redis.RedisError as exc:  # keep refusing too many guesses, per worker
            log.warning("login throttle storage failed (%s); counting in this process", exc)
            return step(self.memory)

    def guard(self, email: str, check: Callable[[], T | None]) -> T | None:
        """Run ``check()`` (None = wrong credentials) unless the account is locked.

        Raises :class:`TooManyAttempts` without calling ``check`` while the account is
        locked or its window is full; records the outcome otherwise.
        """
        key, ticket = self.key(email), uuid.uuid4().hex
        wait = self._call(lambda b: b.reserve(key, ticket, self._now(), self.policy))
        if wait > 0:
            raise TooManyAttempts(max(1, math.ceil(wait / 1000)))
        try:
            result = check()
        except BaseException:
            self._call(lambda b: b.succeeded(key, ticket, reset=False))
            raise
        if result is None:
            self._call(lambda b: b.failed(key, self._now(), self.policy))
        else:
            self._call(lambda b: b.succeeded(key, ticket))
        return result

    def _now(self) -> int:
        return int(self.clock() * 1000)
