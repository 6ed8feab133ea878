"""The radio emulator (the gNB): air-interface proxy, scheduling loop, backhaul, metrics."""

from .app import create_app, create_app_from_env
from .settings import RadioSettings

__all__ = ["RadioSettings", "create_app", "create_app_from_env"]
