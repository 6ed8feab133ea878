"""In-context-learning offloading (the paper's method): examples, prompt, decision LLM, answers."""

from .answer import InvalidAnswerError, best, calibrate, choice_probabilities, parse_choice
from .client import DecisionClient, DecisionLlmError
from .config import DecisionConfig
from .decider import DRL, DRL_POLICIES, ICL, ICL_MODES, Decider
from .feed import ExperienceSource, ExperienceSourceError, InMemorySource, PoolFeed
from .metrics import DecisionMetrics, FallbackReason
from .prompt import CONTENT_FREE_STATE, build_messages, state_line
from .selection import Examples, SelectionMethod, select_examples

__all__ = [
    "CONTENT_FREE_STATE",
    "DRL",
    "DRL_POLICIES",
    "ICL",
    "ICL_MODES",
    "Decider",
    "DecisionClient",
    "DecisionConfig",
    "DecisionLlmError",
    "DecisionMetrics",
    "Examples",
    "ExperienceSource",
    "ExperienceSourceError",
    "FallbackReason",
    "InMemorySource",
    "InvalidAnswerError",
    "PoolFeed",
    "SelectionMethod",
    "best",
    "build_messages",
    "calibrate",
    "choice_probabilities",
    "parse_choice",
    "select_examples",
    "state_line",
]
