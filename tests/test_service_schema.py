"""Property-based test of the OpenAPI schema: generated requests (valid and invalid) against the
in-process app never get a server error, and every response matches what the schema documents."""
from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import positive_data_acceptance
from hypothesis import HealthCheck, settings

from model.predict import Predictor
from service.app import create_app
from service.settings import Settings
from service_helpers import model_dir_for_tests

MIN_REQUESTS = 500
API_KEY = "fuzz-key"
AUTH = {"X-API-Key": API_KEY}
statuses: list[int] = []


# The app (cheap) exists at import so schemathesis can read its schema; the model (not cheap) is
# put in place by the fixture below, only when these tests run. (schemathesis' lazy
# ``from_fixture`` loader does not work with pytest 9.)
app = create_app(Settings(max_text_chars=20_000, max_batch_documents=8, max_batch_chars=40_000,
                          max_request_bytes=200_000, api_keys=[API_KEY]))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def loaded_model(default_model_dir):
    app.state.predictor = Predictor.from_directory(model_dir_for_tests(default_model_dir))
    yield
    app.state.predictor = None


@schema.parametrize()
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_generated_requests_get_no_server_error(case):
    response = case.call(headers=AUTH)
    statuses.append(response.status_code)
    assert response.status_code < 500, f"{case.method} {case.path} -> {response.status_code}: {response.text[:300]}"
    # Not ``positive_data_acceptance``: a schema-valid body can still hold an unusable document
    # (a blank text, a PNG named .txt, a PDF without text layer), which we refuse with 422 by design.
    case.validate_response(response, headers=AUTH, excluded_checks=[positive_data_acceptance])


def test_enough_generated_requests_were_sent():
    if not statuses:
        pytest.skip("runs after test_generated_requests_get_no_server_error, in the same session")
    from collections import Counter
    print(f"{len(statuses)} generated requests, statuses {sorted(Counter(statuses).items())}")
    assert len(statuses) >= MIN_REQUESTS, f"only {len(statuses)} generated requests"
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
