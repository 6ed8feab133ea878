"""The testbed's own services by name, and the app factory that serves each (as strings: naming
a service here imports nothing of it, so the CLI stays fast)."""

from __future__ import annotations

from enum import StrEnum


class AppService(StrEnum):
    """The testbed's own services, by their compose names; each is served from its app factory."""

    ORCHESTRATOR = "orchestrator"
    RADIO_EMULATOR = "radio-emulator"

    @property
    def factory(self) -> str:
        package = self.value.replace("-", "_")
        return f"edgecloud.{package}:create_app_from_env"


# The emulated LLM engine is not one of the testbed's services (it stands in for an engine).
EMULATED_ENGINE_FACTORY = "edgecloud.llm.emulated:create_app_from_env"
