// Package sdk is the device side of Ordinator's sync protocol: a replica of
// the buckets a user may read in SQLite (modernc.org/sqlite), a durable outbox
// of mutations applied optimistically, a background sync loop (push,
// checkpointed pull, live subscription) and a resumable photo upload queue,
// talking to the server over Connect.
//
// A Replica lives in one directory. Every local write is a named mutation
// stored in the outbox in the same SQLite transaction as its optimistic
// effect on the local rows, which are marked pending. The sync loop pushes
// the outbox, pulls the changes of the user's buckets and applies them only
// at complete, checksum-verified checkpoints; at each checkpoint the rows of
// mutations the server has applied are replaced by the server's state and
// the pending ones are replayed on top. Rejected mutations are rolled back
// and reported with their code, reason and field violations. A Session keeps
// the device's sign-in beside the replica and rotates its refresh token so
// that a lost answer is safely retried; a device the server revokes wipes
// the replica and says what unsent work went with it.
//
// The SDK is generic over collections. A Schema tells it how to index a
// collection's payloads into columns of its local table and how to apply
// each mutation optimistically; domain packages add typed helpers on top
// (ProtoCollection, ProtoMutation). The gobind-safe facade for Android and
// iOS is the sibling package mobile.
package sdk
