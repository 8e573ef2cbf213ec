# Meta's llama3 example_text_completion.py, on LAC: the only changes are the
# import and what ckpt_dir names (a .lac, a .gguf, a Meta or a Hugging Face
# folder). Run it with python instead of torchrun:
#
#   python3 python/examples/example_text_completion.py --ckpt_dir smollm2.lac
#   python3 python/examples/example_text_completion.py --ckpt_dir Meta-Llama-3-8B/ \
#       --tokenizer_path Meta-Llama-3-8B/tokenizer.model
#
# Where Meta's README says `torchrun --nproc_per_node N`, use `mpirun -np N
# python3 ...`: the model is split over the N processes (docs/PYTHON.md).
from typing import List, Optional

from lac import Llama


def main(
    ckpt_dir: str,
    tokenizer_path: Optional[str] = None,
    temperature: float = 0.6,
    top_p: float = 0.9,
    max_seq_len: int = 128,
    max_gen_len: int = 64,
    max_batch_size: int = 4,
):
    """Examples to run with the pretrained models (no fine-tuning): the prompts
    are set up so that their natural continuation is the expected answer."""
    generator = Llama.build(
        ckpt_dir=ckpt_dir,
        tokenizer_path=tokenizer_path,
        max_seq_len=max_seq_len,
        max_batch_size=max_batch_size,
    )

    prompts: List[str] = [
        # The expected answer is the natural continuation of the prompt
        "I believe the meaning of life is",
        "Simply put, the theory of relativity states that ",
        """A brief message congratulating the team on the launch:

        Hi everyone,

        I just """,
        # Few-shot: a few examples before asking the model to complete one more
        """Translate English to French:

        sea otter => loutre de mer
        peppermint => menthe poivrée
        plush girafe => girafe peluche
        cheese =>""",
    ]
    results = generator.text_completion(
        prompts,
        max_gen_len=max_gen_len,
        temperature=temperature,
        top_p=top_p,
    )
    for prompt, result in zip(prompts, results):
        print(prompt)
        print(f"> {result['generation']}")
        print("\n==================================\n")


if __name__ == "__main__":
    from _fire import Fire  # Meta's scripts use fire.Fire; this is a small stand-in

    Fire(main)
