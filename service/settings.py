"""Every service setting, defined once: environment variables (``MOTION_OUTCOME_*``) and the
``serve`` flags both land here, and the server's worker processes read it back from the
environment, so a flag and its variable can never disagree."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from model.artifact import DEFAULT_MODEL_DIR

ENV_PREFIX = "MOTION_OUTCOME_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", protected_namespaces=())

    model: Path = Field(DEFAULT_MODEL_DIR, description="model directory to serve")
    host: str = Field("127.0.0.1", description="address to listen on")
    port: int = Field(8000, ge=0, le=65535, description="port to listen on")
    workers: int = Field(1, ge=1, le=64, description="server processes, each with its own copy of the model")
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated keys; when set, /v1/* requires one in X-API-Key")
    max_text_chars: int = Field(200_000, ge=1, description="longest text accepted for one document")
    max_batch_documents: int = Field(256, ge=1, description="most documents in one batch request")
    max_batch_chars: int = Field(4_000_000, ge=1, description="most characters of text in one batch request")
    max_request_bytes: int = Field(20_000_000, ge=1, description="largest request body (JSON or upload)")
    micro_batch: int = Field(32, ge=1, le=1024, description="most concurrent /v1/predict requests predicted "
                             "together in one call (1: one at a time)")
    log_level: str = Field("info", description="log level of the server and its access log")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value):
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    def to_env(self) -> dict[str, str]:
        """The environment that reproduces these settings in another process (a server worker)."""
        env = {}
        for name, value in self.model_dump().items():
            if isinstance(value, list):
                value = ",".join(value)
            env[f"{ENV_PREFIX}{name.upper()}"] = str(value)
        return env


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
