"""Proves generated/fixtures usable from another language: Python's standard
library plus jsonschema (Debian's python3-jsonschema), nothing else.

- every manifest entry: valid payloads pass their schema, invalid ones fail
  with an error at the manifest's errorPath;
- every signature vector: recomputed with hmac and judged as the vendor's own
  samples judge (exact comparison of the lowercase hex digest, then
  |now - sent_at| <= toleranceSeconds).

Usage: python3 check_fixtures.py FIXTURES_DIR
Prints one JSON object (the verdicts and any problems) and exits 1 on a problem.
"""
import base64
import hashlib
import hmac
import json
import re
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path

import jsonschema

# RFC 3339 date-time, checked with the standard library (jsonschema only checks
# formats through optional packages, which a CI machine may not have).
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    parse_time(value)  # raises ValueError for a day the calendar does not have
    return True


def parse_time(value):
    text = re.sub(r"[Zz]$", "+00:00", value)
    match = re.match(r"^(.*?)(\.\d+)?([+-]\d{2}:\d{2})$", text)
    if not match:
        raise ValueError(f"{value!r} is not a date-time")
    fraction = (match.group(2) or ".0")[:7]
    return datetime.fromisoformat(match.group(1) + fraction.ljust(7, "0") + match.group(3))


def pointer(parts):
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def error_paths(error):
    """Where an error points. A missing property points at the property itself, as in the
    manifest; an anyOf/oneOf error (a nullable model) also points where its branches failed."""
    base = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        paths = {pointer(base + [name]) for name in error.validator_value if name not in error.instance}
    else:
        paths = {pointer(base)}
    for branch_error in error.context or []:
        paths |= error_paths(branch_error)
    return paths


def check_manifest(root, manifest):
    problems = []
    validators = {}
    counts = {"valid": 0, "invalid": 0}
    for entry in manifest["fixtures"]:
        schema_file = entry["schema"]
        if schema_file not in validators:
            schema = json.loads((root / schema_file).read_text(encoding="utf-8"))
            jsonschema.Draft7Validator.check_schema(schema)
            validators[schema_file] = jsonschema.Draft7Validator(schema, format_checker=FORMATS)
        payload = json.loads((root / entry["file"]).read_text(encoding="utf-8"))
        errors = list(validators[schema_file].iter_errors(payload))
        label = entry["file"]
        if entry["valid"]:
            counts["valid"] += 1
            if errors:
                problems.append(f"{label}: should be valid, but {errors[0].message} at {pointer(errors[0].absolute_path)}")
        else:
            counts["invalid"] += 1
            paths = set().union(*(error_paths(error) for error in errors)) if errors else set()
            if not errors:
                problems.append(f"{label}: should be invalid ({entry['description']}), but validates")
            elif entry["errorPath"] not in paths:
                problems.append(f"{label}: should fail at {entry['errorPath']}, fails at {sorted(paths)}")
    return counts, problems


def judge(vector):
    """The verdict of a receiver that follows the vendor's samples."""
    body = base64.b64decode(vector["bodyBase64"])
    digest = hmac.new(vector["secret"].encode("utf-8"), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(digest.encode(), vector["signature"].encode("utf-8")):
        return {"valid": False, "reason": "signature-mismatch"}
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"valid": False, "reason": "malformed-body"}
    if not isinstance(payload, dict):
        return {"valid": False, "reason": "malformed-body"}
    try:
        sent_at = parse_time(payload["sent_at"])
    except (KeyError, TypeError, ValueError):
        return {"valid": False, "reason": "missing-sent-at"}
    age = (parse_time(vector["now"]) - sent_at).total_seconds()
    if age > vector["toleranceSeconds"]:
        return {"valid": False, "reason": "too-old"}
    if -age > vector["toleranceSeconds"]:
        return {"valid": False, "reason": "too-new"}
    return {"valid": True}


def check_signatures(root, manifest):
    vectors = json.loads((root / manifest["signatures"]).read_text(encoding="utf-8"))["vectors"]
    verdicts = {}
    problems = []
    for vector in vectors:
        if base64.b64decode(vector["bodyBase64"]) != vector["body"].encode("utf-8"):
            problems.append(f"{vector['name']}: body and bodyBase64 are not the same bytes")
        verdict = judge(vector)
        verdicts[vector["name"]] = verdict
        if verdict != vector["expected"]:
            problems.append(f"{vector['name']}: expected {vector['expected']}, Python says {verdict}")
    return verdicts, problems


def main(argv):
    root = Path(argv[1])
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    counts, manifest_problems = check_manifest(root, manifest)
    verdicts, signature_problems = check_signatures(root, manifest)
    report = {
        "python": sys.version.split()[0],
        "jsonschema": metadata.version("jsonschema"),
        "fixtures": counts,
        "verdicts": verdicts,
        "problems": manifest_problems + signature_problems,
    }
    print(json.dumps(report, indent=2))
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
