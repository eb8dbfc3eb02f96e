// Package sqlstore holds the parts of the SQL stores that are the same on
// PostgreSQL and SQLite, written against syncengine.Tx and the common SQL
// subset: the ChangeSet that buffers a transaction's Put and Delete calls
// and its Plan (the changes a commit appends with their seqs, the changes
// they supersede, the new state of each touched record per bucket, the
// checksum deltas); pushing a batch; assembling a pull page; compacting;
// and Retry, which reruns a transaction that failed because of another
// writer. Each store supplies what differs: reading the touched records'
// state under its log lock and writing the plan, fetching changes, locks.
//
// # Only current changes
//
// The log holds only the current change of each record in each bucket: the
// commit that appends a record's new change in a bucket (a new version, a
// tombstone, or a return after one) deletes the previous one in the same
// transaction. Its seq is already at hand, in sync_records, read under the
// log lock for the checksums (Plan.Superseded), so the cost is one delete by
// primary key per superseded change, sent in the same round trip as the
// append on PostgreSQL: the work compaction used to do minutes later, done
// at once. Pulls stay the bare (bucket, seq) range scan they were and only
// get smaller. Filtering at read time instead (a join of every change to
// sync_records, or a superseded flag and a partial index, the flag costing
// an update per write) would make every pull pay for history, and would keep
// a hidden comment's text or a discarded case on disk and in backups until
// compaction, which a removal made for privacy must not.
//
// Deleting a superseded change is safe at any moment, as compaction always
// did it: the change that replaced it has a higher seq, so a reader behind
// it gets the replacement and a reader past it already has it; a read
// snapshot sees both the delete and the append, or neither; page
// boundaries and cursors are seqs, not rows, and checksums are of live
// state. Tombstones stay, since a client holding the record must be told
// it left, until they expire; only a cursor at zero, which holds nothing
// of its bucket, is spared them (Sendable).
package sqlstore
