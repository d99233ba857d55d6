"""pagetrail: from page to postmortem for ML model-serving endpoints on Kubernetes."""

__version__ = "0.1.0"
