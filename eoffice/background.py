"""Background work: Celery workers when ``EOFFICE_BROKER_URL`` is set, a thread otherwise.

A feature registers its tasks by name, at import time::

    from eoffice import background

    @background.task("exchange.deliver")
    def deliver(app: Flask, delivery_id: int) -> None: ...      # runs in an app context

    background.sweep("exchange.deliver_pending", every=30)      # a periodic task (no args)

and asks for one after its commit: ``background.submit("exchange.deliver", delivery_id=7)``.
A task without arguments that drains an outbox is better asked for with
``background.nudge(name)``: a burst of commits then sends one message per short window
(and always one after the last commit) instead of one each.
With a broker (``redis://…`` or ``amqp://…``) that is a Celery message handled by any
``eoffice worker`` (any machine); without one, a thread of this process runs it.

A message is only a nudge: the durable record is an outbox table written in the same
transaction as the change. Workers claim outbox rows with ``SELECT … FOR UPDATE SKIP
LOCKED`` and delete them only after the work is done, and every worker re-runs the
sweeps periodically, so a lost message or a worker killed mid-task loses nothing.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

TaskFunction = Callable[..., None]
ServiceFunction = Callable[[Flask, threading.Event], None]
_TASKS: dict[str, TaskFunction] = {}
_SWEEPS: dict[str, float] = {}
_SERVICES: dict[str, ServiceFunction] = {}


def task(name: str) -> Callable[[TaskFunction], TaskFunction]:
    """Register ``func(app, **kwargs)`` as the background task ``name``."""

    def decorate(func: TaskFunction) -> TaskFunction:
        _TASKS[name] = func
        return func

    return decorate


_EMBEDDED_SWEEPS: set[str] = set()


def sweep(name: str, every: float, *, embedded: bool = False) -> None:
    """Run the task ``name`` (without arguments) every ``every`` seconds in the workers
    (``embedded``: also, without a broker, in a sweep thread of each web process): it picks
    up whatever a lost message left in an outbox, and runs periodic work (reminders)."""
    _SWEEPS[name] = float(every)
    if embedded:
        _EMBEDDED_SWEEPS.add(name)
    else:
        _EMBEDDED_SWEEPS.discard(name)


def service(name: str) -> Callable[[ServiceFunction], ServiceFunction]:
    """Register ``func(app, stop)``: a loop every ``eoffice worker`` runs in a thread of its
    own beside its tasks until ``stop`` is set (e.g. consuming the exchange hub)."""

    def decorate(func: ServiceFunction) -> ServiceFunction:
        _SERVICES[name] = func
        return func

    return decorate


def registered() -> dict[str, TaskFunction]:
    return dict(_TASKS)


def run(app: Flask, name: str, **kwargs: Any) -> None:
    """Run a task here and now (inside an app context)."""
    with app.app_context():
        _TASKS[name](app, **kwargs)


@dataclass
class Background:
    """The per-app dispatcher (``app.extensions["eoffice.background"]``)."""

    app: Flask
    broker_url: str | None
    queue_name: str = "eoffice"
    _celery: Any = None
    _thread: threading.Thread | None = None
    _jobs: queue.Queue[tuple[str, dict[str, Any]]] = field(default_factory=queue.Queue)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sweeper: Sweeper | None = None
    _nudges: dict[str, Coalesced] = field(default_factory=dict)

    @property
    def celery(self) -> Any:
        if self._celery is None:
            with self._lock:
                if self._celery is None:
                    self._celery = make_celery(self.app, self.broker_url or "", self.queue_name)
        return self._celery

    def submit(self, name: str, **kwargs: Any) -> None:
        if name not in _TASKS:
            raise KeyError(f"unknown background task {name!r}")
        if self.broker_url:
            try:
                self.celery.send_task(name, kwargs=kwargs, queue=self.queue_name)
            except Exception:  # noqa: BLE001 - the outbox keeps the work; sweeps pick it up
                log.exception("broker unreachable: task %s left to the next sweep", name)
            return
        self._start_thread()
        self._jobs.put((name, kwargs))

    def nudge(self, name: str) -> None:
        """:func:`submit` ``name`` (without arguments), at most once per
        :data:`NUDGE_WINDOW` with a trailing message after the last call."""
        coalesced = self._nudges.get(name)
        if coalesced is None:
            if name not in _TASKS:
                raise KeyError(f"unknown background task {name!r}")
            with self._lock:
                coalesced = self._nudges.setdefault(
                    name, Coalesced(partial(self.submit, name), NUDGE_WINDOW))
        coalesced()

    def start_sweeps(self) -> None:
        """Without a broker: the periodic sweeps in a thread of this process (started by
        the first request; tests run the tasks themselves)."""
        if self._sweeper is not None or self.broker_url:
            return
        with self._lock:
            if self._sweeper is None:
                self._sweeper = Sweeper(self, names=_EMBEDDED_SWEEPS).start()

    def _start_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="eoffice-background",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            name, kwargs = self._jobs.get()
            try:
                run(self.app, name, **kwargs)
            except Exception:  # noqa: BLE001 - keep the thread alive; the outbox keeps the work
                log.exception("background task %s failed", name)


def init_app(app: Flask) -> Background:
    bg = Background(app, app.config.get("BROKER_URL") or None,
                    app.config.get("BROKER_QUEUE") or "eoffice")
    app.extensions["eoffice.background"] = bg
    if not bg.broker_url and not app.config.get("TESTING"):
        app.before_request(bg.start_sweeps)
    return bg


def submit(name: str, app: Flask | None = None, **kwargs: Any) -> None:
    """Ask for the task ``name`` to run in the background (after your commit)."""
    target = app or current_app
    target.extensions["eoffice.background"].submit(name, **kwargs)


class Coalesced:
    """``send()`` at most once per ``window`` seconds however often it is called, and always
    once more after the last call: the first call of a quiet moment sends at once, calls
    within the window after a send are folded into one trailing send at the window's end.

    For nudges: a burst of commits costs one message per window instead of one each, and
    every commit is still followed by a nudge (sent after it, within ``window`` seconds).
    """

    def __init__(self, send: Callable[[], None], window: float) -> None:
        self._send = send
        self.window = window
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._timer: threading.Timer | None = None
        self._pid = os.getpid()

    def __call__(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's timer is not ours
                self._pid, self._timer, self._last = os.getpid(), None, float("-inf")
            if self._timer is not None:
                return  # the pending send happens after this call
            wait = self._last + self.window - time.monotonic()
            if wait > 0:
                self._timer = threading.Timer(wait, self._trailing)
                self._timer.daemon = True
                self._timer.start()
                return
            self._last = time.monotonic()
        self._send()

    def _trailing(self) -> None:
        with self._lock:
            self._timer = None  # calls from now on are not covered by this send
            self._last = time.monotonic()
        self._send()


#: Nudges of one task sent by a process: at most one per this many seconds. Each message
#: costs a worker ≈ 1 ms of broker handling and a claim transaction, whatever the batch it
#: drains: at 0.15 s a busy web process sent nearly one per registration; at 0.5 s a new
#: document is searchable within about a second and the worker drains batches 3× larger.
NUDGE_WINDOW = 0.5


def nudge(name: str, app: Flask | None = None) -> None:
    """Ask for the task ``name`` (no arguments: it drains an outbox) after your commit,
    coalesced: a burst of commits sends one message per :data:`NUDGE_WINDOW`, and the
    last commit is always followed by one (see :class:`Coalesced`)."""
    target = app or current_app
    target.extensions["eoffice.background"].nudge(name)


def make_celery(app: Flask, broker_url: str, queue_name: str) -> Any:
    """A Celery app whose tasks are the registered ones, each run in an app context.

    Late acknowledgement and one message at a time: a killed worker's message is delivered
    again (and the outbox covers a message that is lost anyway)."""
    from celery import Celery

    celery = Celery("eoffice", broker=broker_url, set_as_current=False)
    celery.conf.update(
        task_default_queue=queue_name, task_acks_late=True, task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1, task_ignore_result=True, broker_connection_retry=True,
        broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
        broker_transport_options={"visibility_timeout": 600})
    for name in _TASKS:
        def body(__name: str = name, **kwargs: Any) -> None:
            run(app, __name, **kwargs)

        celery.task(name=name, bind=False)(body)
    return celery


class Sweeper:
    """Submits every sweep task at its interval (in workers and embedded mode)."""

    def __init__(self, bg: Background, names: Iterable[str] | None = None) -> None:
        self.bg = bg
        self.names = set(_SWEEPS if names is None else names)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="eoffice-sweeps", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        import time

        sweeps = {name: every for name, every in _SWEEPS.items() if name in self.names}
        due = dict.fromkeys(sweeps, 0.0)
        while not self._stop.is_set():
            now = time.monotonic()
            for name, every in sweeps.items():
                if now >= due.get(name, 0.0):
                    due[name] = now + every
                    try:
                        run(self.bg.app, name)
                    except Exception:  # noqa: BLE001 - retried at the next interval
                        log.exception("sweep %s failed", name)
            self._stop.wait(min(sweeps.values(), default=5.0) / 2)


class Services:
    """The registered services of a worker, each in its own thread."""

    def __init__(self, bg: Background) -> None:
        self.bg = bg
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(name, func), daemon=True,
                                          name=f"eoffice-{name}")
                         for name, func in _SERVICES.items()]

    def start(self) -> Services:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def _run(self, name: str, func: ServiceFunction) -> None:
        while not self._stop.is_set():
            try:
                func(self.bg.app, self._stop)
                return
            except Exception:  # noqa: BLE001 - restarted after a pause
                log.exception("service %s failed; restarting", name)
                self._stop.wait(5.0)
