"""The provincial hub on AMQP (RabbitMQ), through pika: one durable queue per agency code,
persistent messages, publisher confirms, manual acknowledgement.

No Flask and no database here: :class:`Hub` publishes bytes and hands received bytes to a
callback, which acknowledges them only after their effect is committed.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pika
import pika.exceptions

QUEUE_PREFIX = "eoffice.exchange."
log = logging.getLogger(__name__)
logging.getLogger("pika").setLevel(logging.WARNING)

HubError = (pika.exceptions.AMQPError, OSError)
"""What a lost or refused hub connection raises."""


def queue_name(agency_code: str, prefix: str = QUEUE_PREFIX) -> str:
    return prefix + agency_code


class NotDelivered(Exception):  # noqa: N818
    """The hub did not confirm the message (no queue for the agency, or a nack)."""


@dataclass(frozen=True)
class Outgoing:
    """A message for an agency's queue."""

    agency_code: str
    message_id: str
    body: bytes
    kind: str = ""


@dataclass
class Delivery:
    """A message taken from an agency's queue."""

    queue: str
    message_id: str
    body: bytes
    redelivered: bool
    tag: int


Handler = Callable[[Delivery], None]
"""Applies a message and commits; raising leaves it in the queue (nack with requeue)."""
BatchHandler = Callable[[list[Delivery]], list[Delivery]]
"""Applies messages, commits, and returns those whose effect is committed (acknowledged);
the others, or all of them if it raises, stay in the queue (nack with requeue)."""


class NotApplied(Exception):  # noqa: N818
    """Some messages of a batch could not be applied (they were requeued)."""


class Hub:
    """A connection to the hub. Not thread-safe: one per thread."""

    def __init__(self, url: str, *, prefix: str = QUEUE_PREFIX, heartbeat: int = 30) -> None:
        self.prefix = prefix
        self.url = url
        self._publisher: BatchPublisher | None = None
        params = pika.URLParameters(url)
        params.heartbeat = heartbeat
        params.blocked_connection_timeout = 30
        params.connection_attempts = 1
        params.socket_timeout = 10
        self.params = params
        self.connection: pika.BlockingConnection | None = None
        self.channel: Any = None
        self.declared: set[str] = set()
        self._consumers: set[str] = set()
        self._buffer: list[Delivery] = []

    # -- connection --------------------------------------------------------------------------
    def connect(self) -> Hub:
        if self.connection is None or self.connection.is_closed:
            self.connection = pika.BlockingConnection(self.params)
            self.channel = self.connection.channel()
            self.channel.confirm_delivery()
            self.declared = set()
            self._consumers = set()
            self._buffer = []  # their delivery tags died with the old channel
        return self

    def close(self) -> None:
        try:
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
        except HubError:
            pass
        if self._publisher is not None:
            self._publisher.close()
        self.connection = None
        self.channel = None
        self._consumers = set()
        self._buffer = []

    def declare(self, agency_code: str) -> str:
        name = queue_name(agency_code, self.prefix)
        if name not in self.declared:
            self.connect()
            self.channel.queue_declare(queue=name, durable=True)
            self.declared.add(name)
        return name

    # -- publishing --------------------------------------------------------------------------
    def publish(self, agency_code: str, message_id: str, body: bytes, *, kind: str = "") -> None:
        """Put a persistent message in the agency's queue; returns once the hub confirmed
        it (raises :class:`NotDelivered` or a connection error otherwise)."""
        self.connect()
        name = self.declare(agency_code)
        properties = pika.BasicProperties(
            message_id=message_id, delivery_mode=pika.DeliveryMode.Persistent,
            content_type="application/xml", type=kind or None)
        try:
            self.channel.basic_publish(exchange="", routing_key=name, body=body,
                                       properties=properties, mandatory=True)
        except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as exc:
            raise NotDelivered(str(exc)) from exc

    def publish_many(self, messages: Sequence[Outgoing]) -> list[str | None]:
        """Publish a batch and wait for the hub's confirms of all of it at once; returns,
        per message, ``None`` once confirmed, else the reason (it stays in the outbox)."""
        if self._publisher is None:
            self._publisher = BatchPublisher(self.url, prefix=self.prefix)
        return self._publisher.publish(messages)

    # -- consuming ---------------------------------------------------------------------------
    def _subscribe(self, agency_codes: Iterable[str], prefetch: int) -> None:
        """Start (once per connection) a consumer on each agency's queue: the hub pushes up
        to ``prefetch`` unacknowledged messages, no round trip per message."""
        self.connect()
        names = [self.declare(code) for code in agency_codes]
        if not names or set(names) <= self._consumers:
            return
        if not self._consumers:
            self.channel.basic_qos(prefetch_count=prefetch)
        for name in names:
            if name not in self._consumers:
                self.channel.basic_consume(queue=name, on_message_callback=self._received,
                                           auto_ack=False)
                self._consumers.add(name)

    def _received(self, _channel: Any, method: Any, props: Any, body: bytes) -> None:
        self._buffer.append(Delivery(queue=str(method.routing_key),
                                     message_id=str(props.message_id or ""), body=bytes(body),
                                     redelivered=bool(method.redelivered),
                                     tag=method.delivery_tag))

    def consume(self, agency_codes: Iterable[str], handler: Handler, *,
                seconds: float = 1.0, prefetch: int = 20, idle: float = 0.2) -> int:
        """Apply messages one by one (see :meth:`consume_batches`)."""

        def one_by_one(batch: list[Delivery]) -> list[Delivery]:
            for message in batch:
                handler(message)
            return batch

        return self.consume_batches(agency_codes, one_by_one, seconds=seconds,
                                    prefetch=prefetch, batch=1, idle=idle)

    def consume_batches(self, agency_codes: Iterable[str], handler: BatchHandler, *,
                        seconds: float = 1.0, prefetch: int = 100, batch: int = 50,
                        idle: float = 0.2) -> int:
        """Take what the agencies' queues push for up to ``seconds`` (stop sooner when
        nothing came for ``idle`` seconds) and hand it to ``handler`` in batches of what has
        arrived (at most ``batch``). The messages ``handler`` returns are committed and are
        acknowledged; the others are requeued. Returns how many were acknowledged."""
        self._subscribe(agency_codes, prefetch)
        assert self.connection is not None
        done = 0
        deadline = time.monotonic() + seconds
        while True:
            self.connection.process_data_events(time_limit=0)
            if not self._buffer:
                wait = min(idle, deadline - time.monotonic())
                if wait <= 0:
                    break
                self.connection.process_data_events(time_limit=wait)
                if not self._buffer:
                    break
            taken, self._buffer = self._buffer[:batch], self._buffer[batch:]
            try:
                committed = handler(taken)
            except Exception:
                log.exception("%d exchange messages not applied; requeued", len(taken))
                self._requeue(taken)
                raise
            kept = {id(m) for m in committed}
            for message in taken:
                if id(message) in kept:
                    self.channel.basic_ack(delivery_tag=message.tag)
                    done += 1
            left = [m for m in taken if id(m) not in kept]
            if left:
                self._requeue(left)
                raise NotApplied(f"{len(left)} message(s) not applied; requeued")
            if time.monotonic() >= deadline:
                break
        return done

    def _requeue(self, messages: list[Delivery]) -> None:
        for message in messages:
            self.channel.basic_nack(delivery_tag=message.tag, requeue=True)

    def depth(self, agency_code: str) -> int:
        """Messages waiting in an agency's queue."""
        return self._queue_state(agency_code).message_count

    def consumers(self, agency_code: str) -> int:
        """Consumers (workers) attached to an agency's queue."""
        return self._queue_state(agency_code).consumer_count

    def _queue_state(self, agency_code: str) -> Any:
        self.connect()
        result = self.channel.queue_declare(queue=queue_name(agency_code, self.prefix),
                                            durable=True, passive=True)
        return result.method

    def delete(self, agency_code: str) -> None:
        self.connect()
        self.channel.queue_delete(queue=queue_name(agency_code, self.prefix))
        self.declared.discard(queue_name(agency_code, self.prefix))


class BatchPublisher:
    """Publishes batches of persistent messages with publisher confirms awaited together:
    one round trip to the hub per batch instead of one per message (pika's BlockingChannel
    waits for each confirm). Uses py-amqp, the AMQP client of Celery/kombu, whose channel
    reports confirms and returns as events. Not thread-safe: one per thread."""

    def __init__(self, url: str, *, prefix: str = QUEUE_PREFIX, timeout: float = 30.0) -> None:
        from kombu.utils.url import parse_url

        parts = parse_url(url)
        self.options = {
            "host": f"{parts.get('hostname') or 'localhost'}:{parts.get('port') or 5672}",
            "userid": parts.get("userid") or "guest", "password": parts.get("password") or "guest",
            "virtual_host": parts.get("virtual_host") or "/",
            "ssl": parts.get("transport") == "amqps", "connect_timeout": 10,
        }
        self.prefix = prefix
        self.timeout = timeout
        self.connection: Any = None
        self.channel: Any = None
        self.declared: set[str] = set()
        self._next_tag = 1
        self._pending: dict[int, str] = {}  # delivery tag → message id, until confirmed
        self._refused: dict[str, str] = {}  # message id → reason (returned or nacked)

    def _connect(self) -> Any:
        import amqp as pyamqp

        if self.connection is None or not self.connection.connected:
            self.close()
            self.connection = pyamqp.Connection(**self.options)
            self.connection.connect()
            self.channel = self.connection.channel()
            self.channel.confirm_select()
            self.channel.events["basic_ack"].add(self._acked)
            self.channel.events["basic_nack"].add(self._nacked)
            self.channel.events["basic_return"].add(self._returned)
            self._next_tag, self._pending, self.declared = 1, {}, set()
        return self.channel

    def _settle(self, tag: int, multiple: bool, reason: str | None) -> None:
        for settled in [t for t in self._pending if t == tag or (multiple and t < tag)]:
            message_id = self._pending.pop(settled)
            if reason is not None:
                self._refused.setdefault(message_id, reason)

    def _acked(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, None)

    def _nacked(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, "NotDelivered: the hub refused the message (nack)")

    def _returned(self, exc: Exception, _exchange: str, routing_key: str, message: Any) -> None:
        message_id = str(message.properties.get("message_id") or "")
        self._refused[message_id] = f"NotDelivered: no queue {routing_key} ({exc})"

    def publish(self, messages: Sequence[Outgoing]) -> list[str | None]:
        import amqp as pyamqp

        self._refused = {}
        sent: list[str] = []
        try:
            channel = self._connect()
            for outgoing in messages:
                name = queue_name(outgoing.agency_code, self.prefix)
                if name not in self.declared:
                    channel.queue_declare(queue=name, durable=True, auto_delete=False)
                    self.declared.add(name)
                properties: dict[str, Any] = {
                    "message_id": outgoing.message_id, "delivery_mode": 2,
                    "content_type": "application/xml"}
                if outgoing.kind:
                    properties["type"] = outgoing.kind
                channel.basic_publish(pyamqp.Message(outgoing.body, **properties), exchange="",
                                      routing_key=name, mandatory=True)
                self._pending[self._next_tag] = outgoing.message_id
                self._next_tag += 1
                sent.append(outgoing.message_id)
            deadline = time.monotonic() + self.timeout
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no confirm from the hub")
                self.connection.drain_events(timeout=left)
        except (pyamqp.exceptions.AMQPError, OSError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            unconfirmed = set(self._pending.values())
            self.close()
            return [self._refused.get(m) or (reason if m in unconfirmed or m not in sent
                                             else None) for m in
                    (o.message_id for o in messages)]
        return [self._refused.get(o.message_id) for o in messages]

    def close(self) -> None:
        connection, self.connection = self.connection, None
        with contextlib.suppress(Exception):  # a connection that may be dead already
            if connection is not None and connection.connected:
                connection.close()
        if connection is not None:
            connection.collect()
        self.channel = None
        self._pending = {}


def backoff(attempts: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Seconds before the next try after ``attempts`` failures (exponential, capped)."""
    return float(min(cap, base ** max(0, min(attempts, 12))))
