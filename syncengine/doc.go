// Package syncengine is Ordinator's domain-agnostic sync engine: a bucketed
// change log with exactly-once mutations, checkpointed pulls verified by
// checksums of live state, and live notifications.
//
// Every synced record lives in one or more buckets ("user:42",
// "territory:7"). Writes happen in a Tx: a mutator (or any server-side
// command) writes its own tables through the Tx's Querier and records the new
// state of each synced record with Put or Delete; at commit the engine appends
// one change per bucket the record is in, and a delete for every bucket it
// left, in the same transaction. Within a bucket, sequence numbers are
// handed out in commit order, so a reader that has seen seq N of a bucket
// has seen every change of that bucket below it; across buckets, commits
// overlap and their seqs interleave (syncengine/postgres explains how).
// The log keeps only the current change of each record in each bucket: the
// commit that replaces one deletes it, so a pull never sends an old version
// and a removed payload leaves the log with the commit that removes it.
//
// The package holds what the application and the devices share: the
// protocol's types (Change, Bucket, Cursor, Mutation, Outcome, Checkpoint,
// Checksum, Error), the Engine, and the interfaces it runs on (Store, Tx,
// Querier, Mutator, Resolver). Storage is behind the Store interface,
// implemented on PostgreSQL (syncengine/postgres) and SQLite
// (syncengine/sqlite), which both pass the suite in syncengine/storetest.
// What only those two stores use (buffering a transaction's writes and
// planning the changes its commit appends, pushing a batch, assembling a
// pull page, compacting, rerunning a transaction that lost a race) lives in
// syncengine/internal/sqlstore, out of this API; the in-memory replica the
// tests pull into lives in storetest.
package syncengine
