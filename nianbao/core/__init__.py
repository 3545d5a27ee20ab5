"""The core every stage may use: errors, configuration, decoding, the clock and the report vocabulary.

Nothing here imports a stage (crawler, parsers, storage, checks, notify) or the application shell
(cli, pipeline, daemon); tests/test_layers.py holds the import rules.
"""
