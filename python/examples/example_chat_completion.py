# Meta's llama3 example_chat_completion.py, on LAC: the only changes are the
# import and what ckpt_dir names. The dialogs run in the model's own chat
# format (Llama 3's header format for Llama 3 models, ChatML for SmolLM2).
#
#   python3 python/examples/example_chat_completion.py --ckpt_dir smollm2.lac
from typing import List, Optional

from lac import Dialog, Llama


def main(
    ckpt_dir: str,
    tokenizer_path: Optional[str] = None,
    temperature: float = 0.6,
    top_p: float = 0.9,
    max_seq_len: int = 512,
    max_batch_size: int = 4,
    max_gen_len: Optional[int] = None,
):
    """Examples to run with the instruction-tuned models: each dialog is an
    optional system message, then user and assistant turns ending with the user."""
    generator = Llama.build(
        ckpt_dir=ckpt_dir,
        tokenizer_path=tokenizer_path,
        max_seq_len=max_seq_len,
        max_batch_size=max_batch_size,
    )

    dialogs: List[Dialog] = [
        [{"role": "user", "content": "what is the recipe of mayonnaise?"}],
        [
            {"role": "user", "content": "I am going to Paris, what should I see?"},
            {
                "role": "assistant",
                "content": "Paris, the capital of France, is known for its architecture, art museums and "
                "landmarks: the Eiffel Tower, the Louvre Museum and Notre-Dame Cathedral.",
            },
            {"role": "user", "content": "What is so great about #1?"},
        ],
        [
            {"role": "system", "content": "Always answer with Haiku"},
            {"role": "user", "content": "I am going to Paris, what should I see?"},
        ],
        [
            {"role": "system", "content": "Always answer with emojis"},
            {"role": "user", "content": "How to go from Beijing to NY?"},
        ],
    ]
    results = generator.chat_completion(
        dialogs,
        max_gen_len=max_gen_len,
        temperature=temperature,
        top_p=top_p,
    )
    for dialog, result in zip(dialogs, results):
        for msg in dialog:
            print(f"{msg['role'].capitalize()}: {msg['content']}\n")
        print(f"> {result['generation']['role'].capitalize()}: {result['generation']['content']}")
        print("\n==================================\n")


if __name__ == "__main__":
    from _fire import Fire  # Meta's scripts use fire.Fire; this is a small stand-in

    Fire(main)
