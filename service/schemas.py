"""Request and response bodies. The prediction models mirror the contract of
``model.predict.Predictor.predict``; they allow extra keys because that contract only grows, so a
newer model's extra fields pass through instead of being dropped."""
from __future__ import annotations

from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field

EXAMPLE_TEXT = ("ORDER. Defendant moves for compassionate release under 18 U.S.C. § 3582(c)(1)(A), "
                "citing his asthma. He has not shown that he asked the warden first. "
                "The motion is DENIED without prejudice.")



def _quote(sentence: str) -> dict[str, Any]:
    start = EXAMPLE_TEXT.index(sentence)
    return {"text": sentence, "start": start, "end": start + len(sentence)}


EXAMPLE_PREDICTION: dict[str, Any] = {
    "id": "case-17",
    "disposition": "denied",
    "disposition_probabilities": {"denied": 0.91, "dismissed": 0.04, "granted": 0.02,
                                  "granted_in_part": 0.01, "unknown": 0.02},
    "disposition_evidence": [_quote("The motion is DENIED without prejudice.")],
    "reasons": [{"label": "failure_to_exhaust", "probability": 0.88,
                 "evidence": [_quote("He has not shown that he asked the warden first.")]}],
    "motion_type": "compassionate_release",
    "motion_type_probability": 0.97,
    "needs_review": False,
    "model_version": "5044eb40b2085c37",
}


class _Open(BaseModel):
    """A response part whose keys may grow in later versions."""
    model_config = ConfigDict(extra="allow")


class _Closed(BaseModel):
    """A request part: an unknown field is a mistake we report, not one we ignore."""
    model_config = ConfigDict(extra="forbid")


class PredictRequest(_Closed):
    text: str = Field(description="full text of the decision; must not be blank; at most "
                            "MOTION_OUTCOME_MAX_TEXT_CHARS characters")
    id: str | None = Field(None, max_length=512, description="your identifier, echoed back in the result")

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": "case-17", "text": EXAMPLE_TEXT}]})


class BatchRequest(_Closed):
    documents: list[PredictRequest] = Field(description="documents to predict; results come back in this order")

    model_config = ConfigDict(json_schema_extra={"examples": [{"documents": [
        {"id": "case-17", "text": EXAMPLE_TEXT}, {"id": "case-18", "text": "   "}]}]})


class Evidence(_Open):
    text: str = Field(description="a sentence quoted verbatim from the input")
    start: int = Field(description="character offset of the quote in the input text")
    end: int


class Reason(_Open):
    label: str
    probability: float
    evidence: list[Evidence]


class Prediction(_Open):
    id: str | None
    disposition: str
    disposition_probabilities: dict[str, float]
    disposition_evidence: list[Evidence]
    reasons: list[Reason]
    motion_type: str
    motion_type_probability: float
    needs_review: bool
    model_version: str

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PREDICTION]})


class DocumentFailure(_Open):
    """A batch slot whose document could not be predicted; the other slots are unaffected."""
    id: str | None
    error: "ErrorBody"


class ErrorBody(_Open):
    status: int = Field(description="the HTTP status this error would have on its own")
    detail: str = Field(description="what is wrong, for the person who sent the request")


class BatchResponse(_Open):
    model_version: str
    results: list[Union[Prediction, DocumentFailure]] = Field(
        description="one entry per input document, in input order: a prediction or an error")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "model_version": "5044eb40b2085c37",
        "results": [EXAMPLE_PREDICTION,
                    {"id": "case-18", "error": {"status": 422, "detail": "case-18: text is empty"}}]}]})


class ErrorResponse(_Open):
    detail: str = Field(description="what is wrong, for the person who sent the request")
    errors: list[dict[str, Any]] | None = Field(None, description="field-level details, when the body did not validate")

    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": "text is empty"}]})


class ModelInfo(_Open):
    model_version: str
    label_schema: dict[str, Any] = Field(default_factory=dict, description="labels the model can produce")
    training_data: dict[str, Any] = Field(default_factory=dict, description="source, size and sha256 of the training data")
    metrics: dict[str, Any] = Field(default_factory=dict, description="held-out metrics from the model card")
    libraries: dict[str, Any] = Field(default_factory=dict)


class Health(_Open):
    status: str = Field(examples=["ok"])
    model_version: str | None = None


DocumentFailure.model_rebuild()
