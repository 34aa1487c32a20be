"""The optional OpenAI-compatible endpoint, shared by concept extraction, idea writing and spec
drafting. Nothing needs it: every caller has an offline path."""

from django.conf import settings


def llm_configured() -> bool:
    """Whether an OpenAI-compatible endpoint and model are set."""
    return bool(settings.OPENAI_BASE_URL and settings.LLM_MODEL)


def openai_client(*, max_retries: int):
    """A client for the configured endpoint (OPENAI_BASE_URL, OPENAI_API_KEY and the timeout)."""
    from openai import OpenAI

    return OpenAI(
        base_url=settings.OPENAI_BASE_URL,
        api_key=settings.OPENAI_API_KEY or "not-needed",
        timeout=settings.LLM_TIMEOUT_SECONDS,
        max_retries=max_retries,
    )
