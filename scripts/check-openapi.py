#!/usr/bin/env python3
"""Validates docs/openapi.yaml against the OpenAPI 3.0 specification (part of `make test`)."""
import subprocess
import sys

try:
    import yaml
    from openapi_spec_validator import validate
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "openapi-spec-validator", "PyYAML"])
    import yaml
    from openapi_spec_validator import validate

with open("docs/openapi.yaml") as f:
    validate(yaml.safe_load(f))
print("docs/openapi.yaml is a valid OpenAPI 3.0 document")
