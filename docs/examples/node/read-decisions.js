#!/usr/bin/env node
// Reads MammoTriage triage decisions with kafkajs.
//   with a schema registry:  node read-decisions.js --bootstrap H:P --registry URL
//   without one:             node read-decisions.js --bootstrap H:P --schemas DIR
// Keys are the StudyInstanceUID as a plain UTF-8 string. With a registry, values are in Confluent
// framing and @kafkajs/confluent-schema-registry fetches the writer schema by id. Without one,
// values are Avro single-object encoded: the 10-byte header (c3 01 + fingerprint) is matched
// against index.json of `mammotriage schemas export DIR` and the rest decoded with that schema.
const fs = require('fs');
const path = require('path');
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');
const avro = require('avsc');

const DECISION_TOPICS = [
  'mammo.triage.suspicious.v1',
  'mammo.triage.routine.v1',
  'mammo.triage.low.v1',
  'mammo.triage.incomplete.v1',
  'mammo.triage.out_of_domain.v1',
  'mammo.risk.elevated.v1',
];

function args() {
  const a = { group: 'worklist-node', max: 0, idleExit: 0 };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) {
    const k = v[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase());
    a[k] = ['max', 'idleExit'].includes(k) ? Number(v[i + 1]) : v[i + 1];
  }
  if (!a.bootstrap || (!a.registry && !a.schemas)) {
    console.error('usage: read-decisions.js --bootstrap H:P (--registry URL | --schemas DIR)');
    process.exit(2);
  }
  return a;
}

// --8<-- [start:node-plain]
// No registry: header -> avsc type, from the schema export.
function plainDecoder(dir) {
  const types = new Map();
  for (const e of JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'))) {
    const schema = JSON.parse(fs.readFileSync(path.join(dir, e.file), 'utf8'));
    types.set(e.single_object_header, avro.Type.forSchema(schema));
  }
  return async (value) => {
    const type = types.get(value.subarray(0, 10).toString('hex'));
    if (!type) throw new Error(`unknown writer schema ${value.subarray(0, 10).toString('hex')}`);
    return type.fromBuffer(value.subarray(10));
  };
}
// --8<-- [end:node-plain]

async function main() {
  const a = args();
  // --8<-- [start:node-registry]
  const registry = a.registry ? new SchemaRegistry({ host: a.registry }) : null;
  // with a registry: the writer schema is fetched by the id in the value's header (and cached)
  const decode = registry ? (value) => registry.decode(value) : plainDecoder(a.schemas);
  const kafka = new Kafka({ clientId: 'worklist-node', brokers: a.bootstrap.split(','),
                            logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: a.group, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: DECISION_TOPICS, fromBeginning: true });
  let seen = 0;
  let last = Date.now();
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const d = await decode(message.value);
      // consumers dedupe on (examKey, examVersion): a late image gives a new version
      console.log(JSON.stringify({
        topic, study: message.key.toString('utf8'), examKey: d.examKey,
        examVersion: d.examVersion, category: d.category, suspicion: d.suspicion,
        riskElevated: d.riskElevated, modelId: d.modelId }));
      seen += 1;
      last = Date.now();
      if (a.max && seen >= a.max) done();
    },
  });
  // --8<-- [end:node-registry]
  const idle = setInterval(() => {
    if (a.idleExit && Date.now() - last > a.idleExit * 1000) done();
  }, 200);
  await finished;
  clearInterval(idle);
  await consumer.disconnect();
}

main().catch((e) => { console.error(e); process.exit(1); });
