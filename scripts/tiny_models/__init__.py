"""Writers of the tiny random Llama-3-shaped test model, one module per checkpoint format."""
