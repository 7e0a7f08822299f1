"""Programs that run outside the notebooks: ``worker``, appendix B's
multi-worker training program (``python -m helpers.distributed.worker``).
Its lines fit the book's page, ``helpers.page.WIDTH`` characters
(``ruff.toml`` here, checked by tests/test_page.py), because appendix B
shows its functions."""
