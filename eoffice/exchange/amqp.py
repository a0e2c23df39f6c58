"""The provincial hub on AMQP (RabbitMQ), through pika: one durable queue per agency code,
persistent messages, publisher confirms, manual acknowledgement.

No Flask and no database here: :class:`Hub` publishes bytes and hands received bytes to a
callback, which acknowledges them only after their effect is committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
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


class Hub:
    """A connection to the hub. Not thread-safe: one per thread."""

    def __init__(self, url: str, *, prefix: str = QUEUE_PREFIX, heartbeat: int = 30) -> None:
        self.prefix = prefix
        params = pika.URLParameters(url)
        params.heartbeat = heartbeat
        params.blocked_connection_timeout = 30
        params.connection_attempts = 1
        params.socket_timeout = 10
        self.params = params
        self.connection: pika.BlockingConnection | None = None
        self.channel: Any = None
        self.declared: set[str] = set()

    # -- connection --------------------------------------------------------------------------
    def connect(self) -> Hub:
        if self.connection is None or self.connection.is_closed:
            self.connection = pika.BlockingConnection(self.params)
            self.channel = self.connection.channel()
            self.channel.confirm_delivery()
            self.declared = set()
        return self

    def close(self) -> None:
        try:
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
        except HubError:
            pass
        self.connection = None
        self.channel = None

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

    # -- consuming ---------------------------------------------------------------------------
    def consume(self, agency_codes: Iterable[str], handler: Handler, *,
                seconds: float = 1.0, prefetch: int = 20) -> int:
        """Take the messages waiting in the agencies' queues for up to ``seconds``; each is
        acknowledged after ``handler`` returned, requeued if it raised. Returns how many
        were acknowledged."""
        self.connect()
        names = [self.declare(code) for code in agency_codes]
        self.channel.basic_qos(prefetch_count=prefetch)
        done = 0
        deadline = time.monotonic() + seconds
        for name in names:
            while time.monotonic() < deadline:
                method, props, body = self.channel.basic_get(queue=name, auto_ack=False)
                if method is None:
                    break
                message = Delivery(queue=name, message_id=str(props.message_id or ""),
                                   body=bytes(body), redelivered=bool(method.redelivered),
                                   tag=method.delivery_tag)
                try:
                    handler(message)
                except Exception:
                    log.exception("exchange message %s not applied; requeued",
                                  message.message_id)
                    self.channel.basic_nack(delivery_tag=message.tag, requeue=True)
                    raise
                self.channel.basic_ack(delivery_tag=message.tag)
                done += 1
        return done

    def depth(self, agency_code: str) -> int:
        """Messages waiting in an agency's queue."""
        self.connect()
        result = self.channel.queue_declare(queue=queue_name(agency_code, self.prefix),
                                            durable=True, passive=True)
        return int(result.method.message_count)

    def delete(self, agency_code: str) -> None:
        self.connect()
        self.channel.queue_delete(queue=queue_name(agency_code, self.prefix))
        self.declared.discard(queue_name(agency_code, self.prefix))


def backoff(attempts: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Seconds before the next try after ``attempts`` failures (exponential, capped)."""
    return float(min(cap, base ** max(0, min(attempts, 12))))
