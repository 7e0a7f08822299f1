"""Programs that run outside the notebooks: ``worker``, appendix B's
multi-worker training program (``python -m helpers.distributed.worker``).
Its lines fit the book's page, 77 characters (``ruff.toml`` here), because
appendix B shows its functions."""
