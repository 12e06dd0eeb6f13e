#!/usr/bin/env python3
"""validate-json.py SCHEMA FILE|-: validate a JSON document against one of
the runtime-spec schemas, resolving its relative $refs (defs.json, ...) from
the schema's directory.  Works with python3-jsonschema 4.10 (Debian 12,
RefResolver) and newer releases (the `referencing` library).  Exit 0 when
valid; otherwise print each error with its JSON path and exit 1."""
import json
import os
import sys
import warnings

import jsonschema

warnings.filterwarnings("ignore", category=DeprecationWarning)


def main():
    schema_path = os.path.abspath(sys.argv[1])
    doc_src = sys.argv[2]
    schema = json.load(open(schema_path))
    text = sys.stdin.read() if doc_src == "-" else open(doc_src).read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        print("not JSON: %s" % e)
        return 1
    base = os.path.dirname(schema_path)
    cls = jsonschema.validators.validator_for(schema)
    try:
        import referencing
        import referencing.jsonschema

        def retrieve(uri):
            name = uri.rsplit("/", 1)[-1]
            return referencing.Resource.from_contents(
                json.load(open(os.path.join(base, name))),
                default_specification=referencing.jsonschema.DRAFT4)

        registry = referencing.Registry(retrieve=retrieve)
        schema = dict(schema, id="file://" + schema_path)
        validator = cls(schema, registry=registry)
    except ImportError:
        resolver = jsonschema.RefResolver("file://" + schema_path, schema)
        validator = cls(schema, resolver=resolver)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        print("%s: %s" % ("/".join(str(p) for p in e.path) or "(root)", e.message))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
