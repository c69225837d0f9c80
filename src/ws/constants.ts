// Limits and timings of the WebSocket service that are not config keys. Units are in the names.

/** A client with this many messages waiting for a business worker stops being read (TCP backpressure). */
export const MAX_PENDING_PER_CLIENT = 32;

/**
 * How long a client's messages may wait for a business worker of its slot (one crashed and
 * its replacement is booting) before they are answered with an error (code 503).
 */
export const BUSINESS_WAIT_MS = 10_000;

/** How long a closing handshake may take before the socket is destroyed. */
export const CLOSE_HANDSHAKE_MS = 2_000;

/** Close codes the gateway uses (RFC 6455 §7.4; 4000-4999 are ours). */
export const CLOSE_GOING_AWAY = 1001;
/** A gateway scaled away: the service goes on, reconnect (RFC 6455's 1012 "Service Restart", IANA registry). */
export const CLOSE_SERVICE_RESTART = 1012;
export const CLOSE_IDLE = 4000;

/** Error codes in {"type":"error","data":{"code"}} replies, on HTTP's model. */
export const REPLY_BAD_MESSAGE = 400;
export const REPLY_NOT_FOUND = 404;
export const REPLY_INTERNAL = 500;
export const REPLY_UNAVAILABLE = 503;

/** A peer (business worker, push client) waits this long for a gateway's answer. */
export const CALL_TIMEOUT_MS = 5_000;

/** A business worker retries a gateway socket that is not up yet at this pace (ms, doubling). */
export const RECONNECT_MIN_MS = 25;
export const RECONNECT_MAX_MS = 1_000;
