#!/usr/bin/env python3
"""Validate JSON documents against a JSON schema vendored in this folder.

    validate.py SCHEMA DOC...

Every $ref is resolved from the schemas here (by their $id), never from
the network. Prints each error with where it is; exits 1 when a document
is invalid, 2 when the validator cannot run. Works with Debian's
python3-jsonschema (4.10) and newer releases.
"""
import json
import os
import sys
import warnings

try:
    import jsonschema
except ImportError:
    sys.stderr.write("validate.py: python3-jsonschema is not installed\n")
    sys.exit(2)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    store = {}
    for name in os.listdir(here):
        if name.endswith(".json"):
            with open(os.path.join(here, name)) as f:
                s = json.load(f)
            if "$id" in s:
                store[s["$id"]] = s
    with open(argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    with warnings.catch_warnings():
        # RefResolver is deprecated in newer jsonschema, and all 4.10 has.
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        validator = cls(schema, resolver=resolver,
                        format_checker=jsonschema.FormatChecker())
    bad = 0
    for path in argv[2:]:
        with open(path) as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"{path}: {where}: {e.message[:300]}")
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
