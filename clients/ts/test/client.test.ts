// The generated client against a running `ordinator serve --demo` (its address
// in ORDINATOR_URL): the demo rep signs in, pulls their buckets to a
// checkpoint, reads a doctor of their territory from its protobuf payload and
// proposes an edit through the sync protocol, as a device written in
// TypeScript would. cmd/ordinator's TestTypeScriptClient starts the server
// and runs this file.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

import { AuthService } from "../src/gen/ordinator/auth/v1/auth_pb.js";
import { MetaService } from "../src/gen/ordinator/meta/v1/meta_pb.js";
import {
  DoctorSchema,
  EditRequestSchema,
  EditStatus,
  ProposeEditArgsSchema,
  ProposeEditResultSchema,
} from "../src/gen/ordinator/probase/v1/probase_pb.js";
import {
  Op,
  OutcomeStatus,
  SyncService,
  type BucketCursor,
  type Change,
  type Checkpoint,
  type PullResponse,
} from "../src/gen/ordinator/sync/v1/sync_pb.js";

const baseUrl = process.env.ORDINATOR_URL;

// Replica is what a device keeps: the live records of each bucket.
class Replica {
  buckets = new Map<string, Map<string, Change>>();

  // apply applies a page as the protocol says and returns the cursors to
  // send next.
  apply(page: PullResponse): BucketCursor[] {
    for (const b of [...page.droppedBuckets, ...page.resetBuckets]) this.buckets.delete(b);
    for (const c of page.changes) {
      const records = this.buckets.get(c.bucket) ?? new Map<string, Change>();
      this.buckets.set(c.bucket, records);
      const key = `${c.collection}/${c.recordId}`;
      if (c.op === Op.DELETE) records.delete(key);
      else records.set(key, c);
    }
    return page.cursors;
  }

  // records returns every live record of a collection, from any bucket.
  records(collection: string): Change[] {
    return [...this.buckets.values()].flatMap((rs) => [...rs.values()]).filter((c) => c.collection === collection);
  }
}

test("a TypeScript device signs in, pulls to a checkpoint, reads a doctor and proposes an edit", async () => {
  assert.ok(baseUrl, "ORDINATOR_URL must name a running `ordinator serve --demo`, e.g. http://127.0.0.1:8080");

  let token = "";
  const bearer: Interceptor = (next) => (req) => { req.header.set("Authorization", `Bearer ${token}`); return next(req); };
  const transport = createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: [bearer] });
  const login = await createClient(AuthService, transport).login({ login: "rep.north@demo.ordinator", password: "ordinator-demo", platform: "web" });
  token = login.tokens!.accessToken;
  const sync = createClient(SyncService, transport);
  assert.equal(login.user?.email, "rep.north@demo.ordinator");
  assert.ok(token.length > 0, "login returned no access token");

  const info = await createClient(MetaService, transport).getServerInfo({});
  const clientSchemaVersion = info.currentClientSchemaVersion;
  assert.ok(clientSchemaVersion >= info.minClientSchemaVersion && clientSchemaVersion > 0, `server schema range ${info.minClientSchemaVersion}-${clientSchemaVersion}`);
  const clientId = randomUUID();

  // Pages of 4 rows, so that reaching the checkpoint takes several.
  const replica = new Replica();
  let cursors: BucketCursor[] = [];
  let pages = 0;
  const pullToCheckpoint = async (): Promise<Checkpoint> => {
    for (;;) {
      assert.ok(++pages <= 1000, "no checkpoint after 1000 pages");
      const page = await sync.pull({ clientId, clientSchemaVersion, cursors, maxRows: 4 });
      cursors = replica.apply(page);
      if (page.checkpoint) return page.checkpoint;
      assert.ok(page.hasMore || page.changes.length > 0, "a page without a checkpoint must bring changes or say more follow");
    }
  };
  const checkpoint = await pullToCheckpoint();
  assert.ok(pages > 1, `the pull took ${pages} page(s); expected several pages of 4 rows`);
  assert.ok(checkpoint.seq > 0n, "the checkpoint names no log position");
  for (const b of checkpoint.buckets) {
    assert.equal(BigInt(replica.buckets.get(b.bucket)?.size ?? 0), b.count, `records of bucket ${b.bucket} at the checkpoint`);
  }
  assert.ok(checkpoint.buckets.some((b) => b.bucket === "territory:demo-north"), "the rep's territory bucket is missing from the checkpoint");

  // A doctor record is the protobuf encoding of ordinator.probase.v1.Doctor.
  const doctors = replica.records("doctor").map((c) => fromBinary(DoctorSchema, c.payload));
  assert.deepEqual(doctors.map((d) => d.fullName).sort(), ["Елена Соколова", "Мария Иванова", "Павел Орлов"], "the north territory's doctors");
  const doctor = doctors.find((d) => d.fullName === "Павел Орлов")!;
  assert.equal(doctor.specialty, "cosmetology");
  assert.equal(doctor.territoryId, "demo-north");
  assert.deepEqual(doctor.phones, ["+79160000003"]);
  assert.ok(doctor.version >= 1n, "doctor version");

  // A mutation's args are the protobuf encoding of its arguments message.
  const requestId = randomUUID();
  const args = toBinary(ProposeEditArgsSchema, create(ProposeEditArgsSchema, { requestId, doctorId: doctor.id, baseVersion: doctor.version, changes: [{ field: "position", values: ["Главный врач"] }] }));
  const mutation = { seq: 1n, name: "doctor.propose_edit", args, createdAtUnixMs: BigInt(Date.now()) };
  const { outcomes } = await sync.push({ clientId, clientSchemaVersion, mutations: [mutation] });
  assert.equal(outcomes.length, 1);
  const outcome = outcomes[0];
  assert.equal(outcome.status, OutcomeStatus.APPLIED, `propose_edit was not applied: ${outcome.rejection?.message}`);
  assert.equal(outcome.replayed, false);
  assert.equal(fromBinary(ProposeEditResultSchema, outcome.result).requestId, requestId, "the result names the edit request");

  // Pushed again, the same mutation is not applied twice: the stored outcome comes back.
  const again = await sync.push({ clientId, clientSchemaVersion, mutations: [mutation] });
  assert.equal(again.outcomes[0].status, OutcomeStatus.APPLIED);
  assert.equal(again.outcomes[0].replayed, true, "a retried push must return the stored outcome");

  // The pending request reaches the rep's replica with the next checkpoint.
  const after = await pullToCheckpoint();
  assert.equal(after.lastMutationSeq, 1n, "the checkpoint must cover the pushed mutation");
  const request = replica.records("edit_request").map((c) => fromBinary(EditRequestSchema, c.payload)).find((r) => r.id === requestId);
  assert.ok(request, `edit request ${requestId} did not sync to the rep`);
  assert.equal(request.status, EditStatus.PENDING);
  assert.equal(request.doctorId, doctor.id);
  assert.deepEqual(request.changes.map((c) => [c.field, c.values]), [["position", ["Главный врач"]]]);
});
