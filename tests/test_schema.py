import json

import pytest

from model.schema import LabelSchema, SchemaError, load_schema


def test_default_schema_matches_the_labeling_guide():
    schema = load_schema()
    assert schema.unknown_disposition == "unknown"
    assert set(schema.known_dispositions) == {"granted", "granted_in_part", "denied", "dismissed"}
    assert len(schema.reasons) == 12 and "covid_19" in schema.reasons
    assert LabelSchema.from_dict(schema.to_dict()) == schema


def test_schema_errors_name_the_problem(tmp_path):
    with pytest.raises(SchemaError, match="not found"):
        load_schema(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SchemaError, match="not valid JSON"):
        load_schema(bad)
    raw = load_schema().to_dict()
    raw["disposition"]["unknown"] = "nope"
    with pytest.raises(SchemaError, match="unknown disposition 'nope'"):
        LabelSchema.from_dict(raw)
    raw = load_schema().to_dict()
    raw["reasons"]["keywords"]["made_up"] = ["x"]
    with pytest.raises(SchemaError, match="made_up"):
        LabelSchema.from_dict(raw)
    bad.write_text(json.dumps({"disposition": {"labels": ["a"]}}))
    with pytest.raises(SchemaError, match="missing"):
        load_schema(bad)
