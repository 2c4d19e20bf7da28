"""Prometheus metrics of one app: requests and latency per endpoint, predicted classes, model version.

With several server processes each one writes its numbers to ``PROMETHEUS_MULTIPROC_DIR`` (set by
``motion-outcome serve``) and ``/metrics`` sums them, so a scrape sees the whole server, not
whichever worker happened to answer.
"""
from __future__ import annotations

import os
from typing import Iterable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("motion_outcome_requests_total", "HTTP requests by endpoint and status",
                                ["method", "endpoint", "status"], registry=self.registry)
        self.latency = Histogram("motion_outcome_request_seconds", "HTTP request latency by endpoint",
                                 ["method", "endpoint"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.predictions = Counter("motion_outcome_predictions_total", "documents predicted, by disposition",
                                   ["disposition"], registry=self.registry)
        self.needs_review = Counter("motion_outcome_needs_review_total", "documents flagged for review",
                                    registry=self.registry)
        self.document_errors = Counter("motion_outcome_document_errors_total",
                                       "documents rejected as unusable (empty, too long, unreadable)",
                                       registry=self.registry)
        self.model_info = Gauge("motion_outcome_model_info", "1 for the model version being served",
                                ["model_version"], registry=self.registry, multiprocess_mode="max")

    def observe_request(self, method: str, endpoint: str, status: int, seconds: float) -> None:
        self.requests.labels(method, endpoint, str(status)).inc()
        self.latency.labels(method, endpoint).observe(seconds)

    def observe_predictions(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self.predictions.labels(row["disposition"]).inc()
            if row.get("needs_review"):
                self.needs_review.inc()

    def exposition(self) -> bytes:
        if os.environ.get(MULTIPROC_ENV):
            from prometheus_client import multiprocess
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)
