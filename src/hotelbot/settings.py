"""Configuration: one `Settings` object, built once by `cli.py` and passed down.

Every variable is `HOTELBOT_<GROUP>__<NAME>` (for example `HOTELBOT_WHATSAPP__APP_SECRET`).
Defaults make `hotelbot run` work with nothing set; production settings are documented in
the README. Tests build `Settings(...)` directly and never touch the environment.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "hotelbot"

#: Meta's Graph API: where replies go unless the sandbox is on or `whatsapp.graph_url` is set.
META_GRAPH_URL = "https://graph.facebook.com"

#: Well-known values the local sandbox uses; never valid against Meta.
SANDBOX_SECRETS = {
    "app_secret": "sandbox-app-secret",
    "verify_token": "sandbox-verify-token",
    "access_token": "sandbox-access-token",
}


class QueueEngine(StrEnum):
    INPROCESS = "inprocess"
    PROCRASTINATE = "procrastinate"


class DbSettings(BaseModel):
    #: SQLAlchemy async URL. Empty means a SQLite file in the data dir.
    url: str = ""
    pool_size: int = 10
    max_overflow: int = 20
    echo: bool = False


class RedisSettings(BaseModel):
    #: `redis://host:6379/0`. Empty means in-memory caches (embedded mode).
    url: str = ""


class QueueSettings(BaseModel):
    engine: QueueEngine = QueueEngine.INPROCESS
    #: libpq URL for procrastinate; empty means derived from `db.url`.
    url: str = ""
    #: Messages from one guest arriving within this window are answered as one turn.
    burst_window_seconds: float = 1.5
    #: How often the sweeper re-enqueues rows left pending.
    sweep_interval_seconds: float = 30.0
    #: An inbound message older than this and still pending is swept.
    sweep_after_seconds: float = 20.0
    #: Concurrent jobs per worker process.
    concurrency: int = 10
    #: A reply SENDING this long (its worker died mid-send) is queued again, unless a status
    #: webhook reconciled it first; long enough for Meta's `sent` status to arrive.
    stale_sending_seconds: float = 120.0
    #: procrastinate: a worker silent this long is dead and its running jobs are retried.
    stalled_worker_seconds: float = 30.0
    #: How often each worker counts the backlog for `hotelbot_queue_depth`.
    backlog_interval_seconds: float = 15.0


class WhatsAppSettings(BaseModel):
    #: Meta app secret used to sign webhooks (HMAC-SHA256).
    app_secret: SecretStr = SecretStr("")
    #: Token Meta echoes in the GET verification handshake.
    verify_token: SecretStr = SecretStr("")
    #: System-user access token for the Graph API.
    access_token: SecretStr = SecretStr("")
    #: Graph API root, without the version (`api_version` is added). Empty: the local sandbox
    #: when `sandbox` is on, else Meta's Graph API (https://graph.facebook.com).
    graph_url: str = ""
    api_version: str = "v23.0"
    #: When true, secrets default to the sandbox's well-known values.
    sandbox: bool = False
    #: Largest webhook body accepted, in bytes (Meta's are a few KiB).
    max_body_bytes: int = 1_048_576
    #: Per phone-number send throughput (Cloud API default tier: 80 msg/s).
    messages_per_second: float = 80.0
    send_timeout_seconds: float = 10.0


class PmsSettings(BaseModel):
    #: Base URL of `hotelbot pms`. Empty means the PMS mounted in this process.
    url: str = ""
    #: Bearer token the chatbot presents to the PMS service.
    token: SecretStr = SecretStr("")
    timeout_seconds: float = 5.0
    #: Database of the PMS service's own tables; empty means the chatbot's database.
    database_url: str = ""
    #: JSON of the tokens the PMS service accepts, each scoped to property ids ("*" = all),
    #: e.g. `{"<token>": ["*"]}`. `token` above is always accepted with scope "*".
    tokens: SecretStr = SecretStr("")
    #: Vendor credentials per property slug, e.g. `{"hotel-x": {"access_token": "..."}}`.
    credentials: dict[str, dict[str, SecretStr]] = Field(default_factory=dict)
    #: How long the client keeps an availability answer.
    availability_cache_seconds: float = 30.0
    #: Consecutive failures that open the client's circuit breaker, and its cool-down.
    breaker_failures: int = 5
    breaker_cooldown_seconds: float = 30.0
    #: GraphQL introspection (`__schema`, `__type`). Unset: on when `whatsapp.sandbox` is on
    #: (embedded, development), off otherwise (production).
    graphql_introspection: bool | None = None
    #: Deepest GraphQL selection, introspection included (the standard introspection query: 15).
    graphql_max_depth: int = Field(20, ge=1)
    #: Aliased fields in one GraphQL document.
    graphql_max_aliases: int = Field(20, ge=0)
    #: Tokens in one GraphQL document; parsing stops past it.
    graphql_max_tokens: int = Field(1000, ge=1)
    #: Estimated PMS work of one GraphQL operation: 10 per root field, plus nights x room types
    #: per `availability` and nights per quote or reservation mutation.
    graphql_max_cost: int = Field(1000, ge=1)
    #: Room types assumed per property in that estimate (known only once the PMS is asked).
    graphql_room_types_estimate: int = Field(10, ge=1)


class CryptoSettings(BaseModel):
    #: Field-encryption keys, "version:base64key" comma-separated; the highest version encrypts.
    field_keys: SecretStr = SecretStr("")
    #: Key for the keyed hash (blind index) that finds a guest by phone number.
    blind_index_key: SecretStr = SecretStr("")


class LlmProviderKind(StrEnum):
    #: No model: the offline engine answers every turn (the default).
    NONE = "none"
    #: The official `openai` SDK against `llm.base_url` (OpenAI, vLLM, Ollama, LiteLLM, ...).
    OPENAI = "openai"
    #: Azure OpenAI: `base_url` is the resource endpoint, `api_version` required.
    AZURE = "azure"
    #: The OpenAI-compatible stand-in mounted at `/sandbox/openai/v1` (embedded mode).
    SANDBOX = "sandbox"
    #: A LangChain chat model named by `llm.langchain_model` (extra `hotelbot[langchain]`).
    LANGCHAIN = "langchain"


class LlmPropertySettings(BaseModel):
    """Per-property choices, keyed by the property's id or slug in `llm.properties`."""

    #: "none" keeps this property on the offline engine; empty means `llm.provider`.
    provider: LlmProviderKind | None = None
    model: str = ""
    #: Estimated spend (USD) per day after which the offline engine answers; 0 = `llm`'s.
    daily_budget_usd: float = 0.0


class LlmSettings(BaseModel):
    provider: LlmProviderKind = LlmProviderKind.NONE
    #: OpenAI-compatible root, e.g. `https://api.openai.com/v1`, `http://localhost:11434/v1`.
    base_url: str = ""
    api_key: SecretStr = SecretStr("")
    model: str = "gpt-4o-mini"
    #: Azure OpenAI only (e.g. `2024-10-21`).
    api_version: str = ""
    #: LangChain: `module:Class` of a chat model, and its keyword arguments as JSON.
    langchain_model: str = ""
    langchain_kwargs: dict[str, object] = Field(default_factory=dict)
    #: One model call; the SDK retries 429/5xx `max_retries` times with backoff within it.
    timeout_seconds: float = 8.0
    max_retries: int = 2
    #: All model work in one turn; past it the offline engine answers the turn.
    turn_budget_seconds: float = 15.0
    breaker_failures: int = 5
    breaker_cooldown_seconds: float = 30.0
    #: Conversation history sent to the model: at most this many messages and tokens.
    history_messages: int = 12
    history_tokens: int = 1500
    #: Tool-calling rounds per turn before the model must answer.
    max_tool_rounds: int = 6
    #: Price per million tokens (USD) for the cost estimate.
    input_usd_per_million: float = 0.15
    output_usd_per_million: float = 0.60
    #: Estimated spend per property per day (USD) before the offline engine takes over; 0 = none.
    daily_budget_usd: float = 0.0
    properties: dict[str, LlmPropertySettings] = Field(default_factory=dict)


class AdminSettings(BaseModel):
    #: Bearer token of the admin REST API (`/admin/v1`); empty disables the API.
    token: SecretStr = SecretStr("")


class ObservabilitySettings(BaseModel):
    sentry_dsn: SecretStr = SecretStr("")
    environment: str = "development"
    log_level: str = "INFO"
    #: "json" (default) or "console" for humans at a terminal.
    log_format: str = "json"
    #: Port of `hotelbot worker`'s own `/metrics` server (on `host`); 0 turns it off.
    worker_metrics_port: int = Field(default=9101, ge=0, le=65535)


class LimitsSettings(BaseModel):
    """Rate limits (`limits` syntax: "20/minute;200/hour", every window must allow; empty
    turns a scope off). Counted per process unless Redis is configured."""

    #: Where counts live: a Redis URL shared by every process; empty means `redis.url`, and
    #: with that empty too, this process's memory (embedded mode).
    storage_url: str = ""
    #: Prefix of every key the limiter writes in Redis.
    key_prefix: str = "hotelbot-limits"
    #: Messages per guest. Over it the guest gets one polite notice, then silence.
    guest: str = "20/minute;200/hour"
    #: How often a guest over the limit is told so (once per window).
    guest_notice: str = "1/hour"
    #: Requests per PMS API token (the chatbot's own `pms.token` is exempt).
    pms_token: str = "600/minute"  # noqa: S105 - a rate, not a secret
    #: Per client address: failed PMS API tokens and console log-ins.
    login: str = "10/minute;100/hour"
    #: Per client address on admin and PMS API routes (the chatbot's own token is exempt).
    admin: str = "600/minute"


class TranscriptionEngine(StrEnum):
    OFFLINE = "offline"
    OPENAI = "openai"
    OFF = "off"


class VoiceSettings(BaseModel):
    #: Who turns voice notes into words: the packaged Whisper model (`voice` extra), OpenAI's
    #: transcription API (the offline model as fallback), or nobody (asks the guest to type).
    transcription: TranscriptionEngine = TranscriptionEngine.OFFLINE
    #: Largest voice note accepted, in bytes (WhatsApp's limit for audio: 16 MB).
    max_bytes: int = 16 * 1024 * 1024
    #: Longest voice note transcribed, in seconds; a longer one is politely refused.
    max_seconds: float = 120.0
    #: Seconds a transcription may take before what was heard so far is used (turn budget).
    budget_seconds: float = 20.0
    #: Below this confidence a transcript is read back to the guest before booking/cancelling.
    confirm_below: float = 0.6
    #: CPU threads for the offline model, and its beam width (1 = greedy: faster, less exact).
    cpu_threads: int = 2
    beam_size: int = 5
    #: Load the offline model when the process starts instead of on the first voice note.
    preload: bool = False
    #: OpenAI (or compatible) endpoint for transcription and speech; empty means api.openai.com.
    openai_base_url: str = ""
    openai_api_key: SecretStr = SecretStr("")
    openai_transcription_model: str = "gpt-4o-mini-transcribe"
    #: Speak replies through OpenAI's speech API (espeak-ng is the fallback).
    openai_speech: bool = False
    openai_speech_model: str = "gpt-4o-mini-tts"
    openai_voice: str = "alloy"
    timeout_seconds: float = 15.0


class EngineSettings(BaseModel):
    #: Seconds the understanding of one turn (language, intent, slots, FAQ) may take before
    #: the guest gets a polite fallback instead; it normally takes milliseconds
    #: (docs/security.md).
    turn_budget_seconds: float = 5.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTELBOT_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = DEFAULT_DATA_DIR
    host: str = "127.0.0.1"
    port: int = 8000
    #: Public base URL of this deployment (used by the sandbox to deliver webhooks).
    public_url: str = ""

    db: DbSettings = Field(default_factory=DbSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
    pms: PmsSettings = Field(default_factory=PmsSettings)
    crypto: CryptoSettings = Field(default_factory=CryptoSettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.queue.engine is QueueEngine.PROCRASTINATE and not self.database_url.startswith(
            "postgresql"
        ):
            raise ValueError("queue.engine=procrastinate needs db.url to be a PostgreSQL URL")
        if self.whatsapp.sandbox:
            for name, value in SANDBOX_SECRETS.items():
                if not getattr(self.whatsapp, name).get_secret_value():
                    setattr(self.whatsapp, name, SecretStr(value))
        else:
            for name in ("app_secret", "verify_token", "access_token"):
                if not getattr(self.whatsapp, name).get_secret_value():
                    raise ValueError(f"whatsapp.{name} is required unless whatsapp.sandbox=true")
        self._check_llm()
        return self

    def _check_llm(self) -> None:
        llm = self.llm
        if llm.provider in (LlmProviderKind.OPENAI, LlmProviderKind.AZURE) and not llm.base_url:
            raise ValueError(f"llm.base_url is required when llm.provider={llm.provider.value}")
        if llm.provider is LlmProviderKind.AZURE and not llm.api_version:
            raise ValueError("llm.api_version is required when llm.provider=azure")
        if llm.provider is LlmProviderKind.LANGCHAIN and ":" not in llm.langchain_model:
            raise ValueError(
                "llm.langchain_model must be 'module:Class' when llm.provider=langchain"
            )

    @property
    def database_url(self) -> str:
        return self.db.url or f"sqlite+aiosqlite:///{self.data_dir / 'hotelbot.db'}"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def sends_to_sandbox(self) -> bool:
        """True when replies go to the local sandbox mounted in this deployment."""
        return self.whatsapp.sandbox and not self.whatsapp.graph_url

    @property
    def graph_url(self) -> str:
        """Graph API root including the version, e.g. `https://graph.facebook.com/v23.0`.

        Meta's unless `whatsapp.graph_url` names another root or the sandbox is on: production
        must never send to a `/sandbox/graph` that is not mounted there.
        """
        if self.whatsapp.graph_url:
            root = self.whatsapp.graph_url
        elif self.whatsapp.sandbox:
            root = f"{self.base_url}/sandbox/graph"
        else:
            root = META_GRAPH_URL
        return f"{root.rstrip('/')}/{self.whatsapp.api_version}"

    @property
    def graph_host(self) -> str:
        """Host (and port) that replies are sent to: safe to log, unlike the full URL."""
        return urlsplit(self.graph_url).netloc.rpartition("@")[2]
