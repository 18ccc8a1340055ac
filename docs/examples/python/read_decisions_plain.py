#!/usr/bin/env python3
"""Read MammoTriage triage decisions written without a schema registry (Avro single-object encoding).

Debian: apt-get install python3-confluent-kafka python3-avro
Each value is: c3 01, the 8-byte CRC-64-AVRO fingerprint of the writer schema, then Avro binary.
Debian's python3-avro 1.11.1 computes a different fingerprint for schemas with logical types, so
this reader does not compute one: it matches the 10-byte header against index.json written by
`mammotriage schemas export DIR` (re-export when you upgrade MammoTriage) and decodes the rest
with that schema.
"""
import argparse
import io
import json
import os
import time

import avro.io
import avro.schema
from confluent_kafka import Consumer

DECISION_TOPICS = [
    "mammo.triage.suspicious.v1",
    "mammo.triage.routine.v1",
    "mammo.triage.low.v1",
    "mammo.triage.incomplete.v1",
    "mammo.triage.out_of_domain.v1",
    "mammo.risk.elevated.v1",
]


# --8<-- [start:python-plain]
def load_readers(schema_dir):
    """header bytes -> DatumReader, from the export's index.json."""
    with open(os.path.join(schema_dir, "index.json")) as f:
        index = json.load(f)
    readers = {}
    for entry in index:
        with open(os.path.join(schema_dir, entry["file"])) as f:
            schema = avro.schema.parse(f.read())
        readers[bytes.fromhex(entry["single_object_header"])] = avro.io.DatumReader(schema)
    return readers


def decode(readers, value):
    reader = readers.get(value[:10])
    if reader is None:
        raise ValueError(f"unknown writer schema (header {value[:10].hex()}); "
                         "re-run 'mammotriage schemas export'")
    return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))
# --8<-- [end:python-plain]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--schemas", required=True, help="folder written by 'mammotriage schemas export'")
    ap.add_argument("--group", default="worklist-python")
    ap.add_argument("--max", type=int, default=0, help="stop after this many decisions")
    ap.add_argument("--idle-exit", type=float, default=0, help="stop after this many idle seconds")
    args = ap.parse_args()

    readers = load_readers(args.schemas)
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "enable.auto.commit": True,
    })
    consumer.subscribe(DECISION_TOPICS)
    seen, last = 0, time.monotonic()
    try:
        while not args.max or seen < args.max:
            msg = consumer.poll(0.5)
            if msg is None:
                if args.idle_exit and time.monotonic() - last > args.idle_exit:
                    break
                continue
            if msg.error():
                raise SystemExit(f"consumer error: {msg.error()}")
            d = decode(readers, msg.value())
            print(json.dumps({
                "topic": msg.topic(), "study": msg.key().decode("utf-8"),
                "examKey": d["examKey"], "examVersion": d["examVersion"],
                "category": d["category"], "suspicion": d["suspicion"],
                "riskElevated": d["riskElevated"], "modelId": d["modelId"]}), flush=True)
            seen, last = seen + 1, time.monotonic()
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
