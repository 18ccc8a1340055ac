#!/usr/bin/env python3
"""Read MammoTriage triage decisions written with a schema registry (Confluent framing).

Debian: apt-get install python3-confluent-kafka python3-avro python3-requests
A plain Consumer: the key is the StudyInstanceUID as a UTF-8 string (AvroConsumer would try to
Avro-decode it); the value is decoded by the registry's MessageSerializer, which fetches the
writer schema by the id in the record's header.
"""
import argparse
import json
import time

from confluent_kafka import Consumer
from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

DECISION_TOPICS = [
    "mammo.triage.suspicious.v1",
    "mammo.triage.routine.v1",
    "mammo.triage.low.v1",
    "mammo.triage.incomplete.v1",
    "mammo.triage.out_of_domain.v1",
    "mammo.risk.elevated.v1",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--registry", required=True, help="e.g. http://apicurio:8080/apis/ccompat/v7")
    ap.add_argument("--group", default="worklist-python")
    ap.add_argument("--max", type=int, default=0, help="stop after this many decisions")
    ap.add_argument("--idle-exit", type=float, default=0, help="stop after this many idle seconds")
    args = ap.parse_args()

    # --8<-- [start:python-registry]
    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",  # only decisions of committed transactions
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
            study = msg.key().decode("utf-8")
            d = serializer.decode_message(msg.value())  # a dict, per the writer's schema
            # consumers dedupe on (examKey, examVersion): a late image gives a new version
            print(json.dumps({
                "topic": msg.topic(), "study": study, "examKey": d["examKey"],
                "examVersion": d["examVersion"], "category": d["category"],
                "suspicion": d["suspicion"], "riskElevated": d["riskElevated"],
                "modelId": d["modelId"]}), flush=True)
            # --8<-- [end:python-registry]
            seen, last = seen + 1, time.monotonic()
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
