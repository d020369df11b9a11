"""Providers and models gitbench knows: endpoints, context windows, prices.

Prices are US dollars per million tokens as the providers published them (checked 2026-11);
they are estimates for cost display only, never downloaded at run time (design.md section 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gitbench.errors import Action, ErrorCode, GitbenchError

Wire = Literal["openai", "anthropic", "gemini"]


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    display: str
    wire: Wire
    base_url: str
    key_env: str | None  # the environment variable holding the API key
    local: bool = False  # a model server on this machine: no egress
    structured: bool = True  # the server supports native structured output
    # How the workshop asks for edits by default: JSON where the API enforces the answer's
    # schema while decoding, SEARCH/REPLACE blocks elsewhere (docs/edits.md, "Which format").
    edit_format: Literal["json", "blocks"] = "json"


@dataclass(frozen=True)
class ModelInfo:
    id: str  # provider:model
    display: str
    context_window: int
    max_output: int
    structured: bool = True
    price_in: float | None = None  # per million input tokens
    price_out: float | None = None

    @property
    def provider(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split(":", 1)[1]


PROVIDERS: dict[str, ProviderInfo] = {
    p.name: p
    for p in (
        ProviderInfo("openai", "OpenAI", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
        ProviderInfo(
            "anthropic",
            "Anthropic",
            "anthropic",
            "https://api.anthropic.com",
            "ANTHROPIC_API_KEY",
            edit_format="blocks",  # tool input is not decoded under the schema
        ),
        ProviderInfo(
            "google",
            "Google Gemini",
            "gemini",
            "https://generativelanguage.googleapis.com",
            "GEMINI_API_KEY",
        ),
        ProviderInfo(
            "mistral", "Mistral", "openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"
        ),
        ProviderInfo(
            "ollama",
            "Ollama (local)",
            "openai",
            "http://localhost:11434/v1",
            None,
            local=True,
            edit_format="blocks",
        ),
        ProviderInfo(
            "llamacpp",
            "llama.cpp server (local)",
            "openai",
            "http://localhost:8080/v1",
            None,
            local=True,
            edit_format="blocks",
        ),
        ProviderInfo(
            "vllm",
            "vLLM (local)",
            "openai",
            "http://localhost:8000/v1",
            None,
            local=True,
            edit_format="blocks",
        ),
        ProviderInfo(
            "lmstudio",
            "LM Studio (local)",
            "openai",
            "http://localhost:1234/v1",
            None,
            local=True,
            edit_format="blocks",
        ),
    )
}

MODELS: dict[str, ModelInfo] = {
    m.id: m
    for m in (
        ModelInfo("openai:gpt-4.1", "GPT-4.1", 1_047_576, 32_768, True, 2.00, 8.00),
        ModelInfo("openai:gpt-4.1-mini", "GPT-4.1 mini", 1_047_576, 32_768, True, 0.40, 1.60),
        ModelInfo("openai:gpt-4o", "GPT-4o", 128_000, 16_384, True, 2.50, 10.00),
        ModelInfo(
            "anthropic:claude-sonnet-4-5", "Claude Sonnet 4.5", 200_000, 64_000, True, 3.00, 15.00
        ),
        ModelInfo(
            "anthropic:claude-opus-4-1", "Claude Opus 4.1", 200_000, 32_000, True, 15.00, 75.00
        ),
        ModelInfo(
            "anthropic:claude-haiku-4-5", "Claude Haiku 4.5", 200_000, 64_000, True, 1.00, 5.00
        ),
        ModelInfo("google:gemini-2.5-pro", "Gemini 2.5 Pro", 1_048_576, 65_536, True, 1.25, 10.00),
        ModelInfo(
            "google:gemini-2.5-flash", "Gemini 2.5 Flash", 1_048_576, 65_536, True, 0.30, 2.50
        ),
        ModelInfo(
            "mistral:mistral-large-latest", "Mistral Large", 128_000, 8_192, True, 2.00, 6.00
        ),
        ModelInfo(
            "mistral:mistral-small-latest", "Mistral Small", 128_000, 8_192, True, 0.20, 0.60
        ),
        ModelInfo("ollama:qwen2.5-coder", "Qwen2.5 Coder (Ollama)", 32_768, 8_192, False, 0.0, 0.0),
        ModelInfo("ollama:llama3.1", "Llama 3.1 (Ollama)", 131_072, 8_192, False, 0.0, 0.0),
    )
}

# A local server runs whatever model it was given: any `ollama:NAME` is valid, with these limits.
LOCAL_DEFAULTS = (8_192, 4_096)


def model_info(model_id: str) -> ModelInfo:
    """The registry entry for `provider:model`; VALIDATION_FAILED for an unknown one."""
    provider, sep, name = model_id.partition(":")
    if not sep or not name or provider not in PROVIDERS:
        raise _unknown(model_id)
    if model_id in MODELS:
        return MODELS[model_id]
    if PROVIDERS[provider].local:
        window, out = LOCAL_DEFAULTS
        return ModelInfo(
            model_id, f"{name} ({PROVIDERS[provider].display})", window, out, False, 0.0, 0.0
        )
    raise _unknown(model_id)


def cost(model: ModelInfo, input_tokens: int, output_tokens: int) -> float | None:
    """Estimated US dollars for a call, or None when the price is not public."""
    if model.price_in is None or model.price_out is None:
        return None
    return (input_tokens * model.price_in + output_tokens * model.price_out) / 1_000_000


def _unknown(model_id: str) -> GitbenchError:
    return GitbenchError(
        ErrorCode.VALIDATION_FAILED,
        f"unknown model {model_id!r}: use provider:model, e.g. anthropic:claude-sonnet-4-5",
        phase="model",
        actions=(Action.SWITCH_MODEL,),
        detail={"model": model_id, "known": sorted(MODELS)},
    )
