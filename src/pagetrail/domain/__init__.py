"""Plain data shared by every layer: Kubernetes object views, evidence, hypotheses, reports.

Nothing here does I/O or imports a framework, so analyzers and renderers can be tested with
objects built in memory and a bundle, a live cluster and a fixture all look the same.
"""
