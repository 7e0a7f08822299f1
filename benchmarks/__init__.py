"""The book's benchmarks (``python -m benchmarks``; see ``benchmarks/__main__.py``)."""

# The separable suite's input: a batch of 8 at a MobileNet v1 stage, 56x56, 128 channels.
SEPARABLE_SHAPE = (8, 56, 56, 128)
