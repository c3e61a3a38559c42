"""Every Prometheus series hotelbot exports, in one place.

Names carry the `hotelbot_` prefix and a unit; labels are low-cardinality closed sets only —
never a phone number, guest id, property name or message text. Series whose labels form a
closed set are created at zero below, so dashboards and alerts see them before the first event.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

WEBHOOK_REQUESTS = Counter(
    "hotelbot_webhook_requests_total",
    "WhatsApp webhook deliveries by outcome (ok, bad_signature, too_large, malformed, ...).",
    ["outcome"],
)
INBOUND_MESSAGES = Counter(
    "hotelbot_inbound_messages_total",
    "Guest messages stored, by WhatsApp message type.",
    ["type"],
)
DUPLICATE_MESSAGES = Counter(
    "hotelbot_duplicate_messages_total", "Redelivered guest messages ignored by wamid."
)
STATUS_UPDATES = Counter(
    "hotelbot_status_updates_total",
    "Delivery statuses received, by status and whether they were applied.",
    ["status", "applied"],
)
OUTBOUND_MESSAGES = Counter(
    "hotelbot_outbound_messages_total",
    "Replies handed to the Graph API, by type and outcome (sent, retry, failed).",
    ["type", "outcome"],
)
GRAPH_REQUESTS = Counter(
    "hotelbot_graph_api_requests_total",
    "Graph API calls by operation and outcome.",
    ["operation", "outcome"],
)
GRAPH_LATENCY = Histogram(
    "hotelbot_graph_api_request_duration_seconds",
    "Graph API call latency.",
    ["operation"],
)
TURN_DURATION = Histogram(
    "hotelbot_turn_duration_seconds",
    "Time to turn guest messages into replies, by flow.",
    ["flow"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TURNS_OVER_BUDGET = Counter(
    "hotelbot_turns_over_budget_total",
    "Turns whose understanding overran engine.turn_budget_seconds (answered with a fallback).",
)
CARD_DETAILS = Counter(
    "hotelbot_card_details_masked_total",
    "Inbound messages in which card details were found and masked before storage.",
    ["kind"],
)
JOB_RUNS = Counter(
    "hotelbot_job_runs_total", "Background job runs by job and status.", ["job", "status"]
)
SWEPT = Counter(
    "hotelbot_swept_total", "Rows found pending by the sweeper and enqueued again.", ["kind"]
)
HTTP_REQUESTS = Counter(
    "hotelbot_http_requests_total",
    "HTTP requests by route template, method and status code.",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "hotelbot_http_request_duration_seconds",
    "HTTP request latency by route template.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
HANDOFFS = Counter(
    "hotelbot_handoffs_total",
    "Conversations the bot handed to staff, by reason (guest_request, not_understood, ...).",
    ["reason"],
)
TURN_INTENTS = Counter(
    "hotelbot_turn_intents_total",
    "Turns by understood intent and reply language.",
    ["intent", "language"],
)
PMS_REQUESTS = Counter(
    "hotelbot_pms_requests_total",
    "PMS adapter calls by adapter, operation and outcome (ok or the PmsError code).",
    ["adapter", "operation", "outcome"],
)
PMS_LATENCY = Histogram(
    "hotelbot_pms_request_duration_seconds",
    "PMS adapter call latency.",
    ["adapter", "operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LLM_REQUESTS = Counter(
    "hotelbot_llm_requests_total",
    "Model calls by provider, purpose (understand, reply) and outcome (ok, timeout, ...).",
    ["provider", "purpose", "outcome"],
)
LLM_LATENCY = Histogram(
    "hotelbot_llm_request_duration_seconds",
    "Model call latency, retries included.",
    ["provider", "purpose"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32),
)
LLM_TOKENS = Counter(
    "hotelbot_llm_tokens_total",
    "Tokens used, by property id and kind (prompt, completion).",
    ["property", "kind"],
)
LLM_COST = Counter(
    "hotelbot_llm_cost_usd_total",
    "Estimated model spend in US dollars, by property id.",
    ["property"],
)
LLM_TURNS = Counter(
    "hotelbot_llm_turns_total",
    "Turns by how the model path ended: answered, or why the offline engine answered instead "
    "(timeout, unavailable, bad_output, ungrounded, over_budget, declined, ...).",
    ["outcome"],
)
LLM_UNGROUNDED = Counter(
    "hotelbot_llm_ungrounded_replies_total",
    "Model replies not sent because they stated a fact no tool returned this turn, by kind "
    "(price, date, availability, reference).",
    ["kind"],
)
INBOX_LAG = Histogram(
    "hotelbot_inbox_lag_seconds",
    "Time from a guest message being stored to the turn that answers it starting "
    "(includes the burst window).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 300),
)
QUEUE_DEPTH = Gauge(
    "hotelbot_queue_depth",
    "Rows waiting in the database: guest messages without a turn (inbound), replies not yet "
    "sent (outbound). Measured by the workers; take max() across them.",
    ["kind"],
    multiprocess_mode="livemax",
)
GRAPH_ERRORS = Counter(
    "hotelbot_graph_api_errors_total",
    "Graph API error answers by operation and Graph error code ('other' outside our table, "
    "'none' when Meta sent no code).",
    ["operation", "graph_code"],
)
WINDOW_REFUSALS = Counter(
    "hotelbot_window_refusals_total",
    "Free-form replies refused because the guest last wrote over 24 hours ago, by who refused: "
    "our own check before sending (local) or Meta's code 131047 (graph).",
    ["source"],
)
RATE_LIMITED = Counter(
    "hotelbot_rate_limited_total",
    "Requests or guest messages refused by a rate limit, by scope (guest, pms_token, login, "
    "admin).",
    ["scope"],
)
FLOOD_NOTICES = Counter(
    "hotelbot_flood_notices_total",
    "Polite 'slow down' replies sent to guests over their message limit (one per window).",
)

RATE_LIMIT_SCOPES = ("guest", "pms_token", "login", "admin")

for _kind in ("inbound", "outbound", "sending"):
    SWEPT.labels(kind=_kind)
for _source in ("local", "graph"):
    WINDOW_REFUSALS.labels(source=_source)
for _scope in RATE_LIMIT_SCOPES:
    RATE_LIMITED.labels(scope=_scope)
VOICE_NOTES = Counter(
    "hotelbot_voice_notes_total",
    "Guest voice notes by transcriber and outcome (ok, too_large, too_long, no_speech, ...).",
    ["engine", "outcome"],
)
TRANSCRIPTION_DURATION = Histogram(
    "hotelbot_transcription_duration_seconds",
    "Download plus transcription of one voice note.",
    ["engine"],
    buckets=(0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30),
)
VOICE_REPLIES = Counter(
    "hotelbot_voice_replies_total",
    "Voice notes the bot spoke and uploaded, by outcome (ok, failed).",
    ["outcome"],
)
