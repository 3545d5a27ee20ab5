"""Crawler: find and fetch every annual report on a portal, politely and robustly (httpx).

The crawler never parses reports and never touches the database: it hands pages and documents to
a `Sink` the pipeline provides, so it can be tested and benchmarked on its own.
"""
