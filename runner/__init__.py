"""Experiment templates the gpu worker runs: registered code with schema-validated parameters.

Nothing here runs code from a spec, an LLM or a user: a spec names a registered template and gives
values for its declared parameters, which are validated before anything is queued or executed.
This package does not import Django, so a runner machine needs only torch and its own deps."""
