"""Errors every layer names the same way."""

import redis
from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError

# Connection trouble with the graph or the broker: tasks retry these with backoff; anything
# else is a bug or bad input and fails the job.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
