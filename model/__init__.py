"""The model side of motion-outcome: label schema, features, pipelines, artifacts, prediction.

Training and the service both build on this package; it depends on neither.
"""
