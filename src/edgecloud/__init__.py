"""Edge-cloud generative AI testbed: radio emulator, offloading orchestrator and LLM tier."""

__version__ = "0.1.0"
