//! reStructuredText checking through Python's readme-renderer, to agree with PyPI exactly.
