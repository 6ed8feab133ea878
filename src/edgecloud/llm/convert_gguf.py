"""Convert a GGUF checkpoint into a Hugging Face safetensors folder that vLLM can serve.

Runs inside the engine's virtual environment (it needs torch, transformers, gguf and accelerate),
so it imports nothing from this package: ``python convert_gguf.py SRC.gguf OUT_DIR [options]``.
vLLM 0.32 dropped GGUF loading, hence the conversion.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def convert(
    gguf_path: Path,
    output_dir: Path,
    *,
    add_bos_token: bool,
    chat_template: str | None,
) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    model = AutoModelForCausalLM.from_pretrained(
        str(gguf_path.parent),
        gguf_file=gguf_path.name,
        quantization_config=GgufConfig(dequantize=True),
        dtype=torch.bfloat16,
    )
    # The dequantised weights are plain tensors; a leftover quantisation config would make vLLM
    # look for a GGUF quantiser that it no longer has.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    if add_bos_token:
        # Gemma produces garbage without its BOS token, and the GGUF conversion loses that flag.
        tokenizer.add_bos_token = True
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(output_dir), safe_serialization=True)
    tokenizer.save_pretrained(str(output_dir))
    _force_tokenizer_flags(output_dir, add_bos_token=add_bos_token)


def _force_tokenizer_flags(output_dir: Path, *, add_bos_token: bool) -> None:
    """Write the BOS flag into tokenizer_config.json, which not every tokenizer class saves."""
    if not add_bos_token:
        return
    config_path = output_dir / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config["add_bos_token"] = True
    config_path.write_text(json.dumps(config, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("gguf", type=Path)
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--add-bos-token", action="store_true")
    parser.add_argument("--chat-template-file", type=Path)
    args = parser.parse_args()
    template = args.chat_template_file.read_text() if args.chat_template_file else None
    convert(args.gguf, args.output_dir, add_bos_token=args.add_bos_token, chat_template=template)


if __name__ == "__main__":
    main()
