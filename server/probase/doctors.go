package probase

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/internal/sqlq"
	"github.com/ordinatorhq/ordinator/rules/fields"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the module's migrations for a dialect.
var Migrations = syncengine.DialectMigrations(migrations)

// Collections this module syncs (their names are declared in the protos).
const (
	DoctorCollection      = probasev1.DoctorCollection
	ClinicCollection      = probasev1.ClinicCollection
	EditRequestCollection = probasev1.EditRequestCollection
)

// Service is the doctors directory.
type Service struct {
	store syncengine.Store
	log   *slog.Logger
}

// New returns the service, publishes the field templates to devices and
// writes the directors' summaries a migration listed as missing.
func New(ctx context.Context, store syncengine.Store, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := publishTemplates(ctx, store); err != nil {
		return nil, err
	}
	if err := backfillSummaries(ctx, store, log); err != nil {
		return nil, err
	}
	return &Service{store: store, log: log}, nil
}

// Register adds the directory's mutations to the sync engine.
func (s *Service) Register(r *syncengine.Registry) {
	r.Register(probasev1.ProposeEditMutation, proposeEdit)
	r.Register(probasev1.RequestUpdateMutation, requestUpdate)
}

func encodeValues(v fields.Values) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func decodeValues(s string) (fields.Values, error) {
	var v fields.Values
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}

// loadDoctor reads a doctor record and its values.
func loadDoctor(ctx context.Context, q syncengine.Querier, id string) (*probasev1.Doctor, fields.Values, error) {
	return readDoctor(ctx, q, id, "")
}

// lockDoctor reads a doctor record to write it: the row stays locked until
// the transaction ends, so concurrent writers of one doctor take turns.
// Each then sees the version the one before it wrote, and numbers the
// doctor's history after that one's entries.
func lockDoctor(ctx context.Context, tx syncengine.Tx, id string) (*probasev1.Doctor, fields.Values, error) {
	return readDoctor(ctx, tx, id, tx.Dialect().LockRows())
}

func readDoctor(ctx context.Context, q syncengine.Querier, id, lock string) (*probasev1.Doctor, fields.Values, error) {
	d := &probasev1.Doctor{Id: id}
	var ext, user sql.NullString
	var raw string
	err := q.QueryRow(ctx, `SELECT external_id, user_id, fields, version, updated_at FROM doctors WHERE id = $1`+lock, id).
		Scan(&ext, &user, &raw, &d.Version, &d.UpdatedAtUnixMs)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, syncengine.Errorf(syncengine.ENOTFOUND, "there is no doctor %s", id)
	}
	if err != nil {
		return nil, nil, err
	}
	v, err := decodeValues(raw)
	if err != nil {
		return nil, nil, err
	}
	d.ExternalId, d.UserId = ext.String, user.String
	if err := fields.SetMessageValues(d, v); err != nil {
		return nil, nil, err
	}
	if d.ClinicId != "" {
		if err := q.QueryRow(ctx, `SELECT name FROM clinics WHERE id = $1`, d.ClinicId).Scan(&d.ClinicName); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, nil, err
		}
	}
	return d, v, nil
}

// historyEntry is one line of a doctor's audit trail.
type historyEntry struct {
	action, actor, request, note string
	// address is the host the decision came from, for the audit log.
	address string
	changes []*probasev1.FieldChange
}

// saveDoctor writes a new version of a doctor (version already set on d),
// records it in the history and syncs it to every replica that holds it.
func saveDoctor(ctx context.Context, tx syncengine.Tx, d *probasev1.Doctor, v fields.Values, h historyEntry) error {
	raw, err := encodeValues(v)
	if err != nil {
		return err
	}
	now := tx.Now().UnixMilli()
	d.UpdatedAtUnixMs = now
	// The stored values are the whole record: fields they do not name are
	// empty.
	full := fields.Values{}
	for _, r := range DoctorTemplate.Rules {
		full[r.Field] = v[r.Field]
	}
	if err := fields.SetMessageValues(d, full); err != nil {
		return err
	}
	if d.Version == 1 {
		_, err = tx.Exec(ctx, `INSERT INTO doctors (id, external_id, user_id, fields, full_name, territory_id, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)`, d.Id, sqlq.Nullable(d.ExternalId), sqlq.Nullable(d.UserId), raw, d.FullName, d.TerritoryId, now)
	} else {
		var n int64
		n, err = tx.Exec(ctx, `UPDATE doctors SET fields = $1, full_name = $2, territory_id = $3, user_id = $4, version = $5, updated_at = $6
			WHERE id = $7 AND version = $5 - 1`, raw, d.FullName, d.TerritoryId, sqlq.Nullable(d.UserId), d.Version, now, d.Id)
		if err == nil && n == 0 {
			err = syncengine.Errorf(syncengine.ECONFLICT, "doctor %s changed meanwhile; try again", d.Id)
		}
	}
	if err != nil {
		return err
	}
	tx.Queue(ctx, `INSERT INTO doctor_versions (doctor_id, version, fields) VALUES ($1, $2, $3)`, d.Id, d.Version, raw)
	if err := addHistory(ctx, tx, d.Id, d.Version, h); err != nil {
		return err
	}
	return syncDoctor(ctx, tx, d)
}

// addHistory appends an entry to a doctor's history, numbered after the
// last; the caller holds the doctor's row (lockDoctor), so no other writer
// numbers one at the same time.
func addHistory(ctx context.Context, tx syncengine.Tx, doctorID string, version int64, h historyEntry) error {
	changes, err := json.Marshal(changesJSON(h.changes))
	if err != nil {
		return err
	}
	// Queued: nothing reads its result.
	tx.Queue(ctx, `INSERT INTO doctor_history (id, doctor_id, n, action, actor_id, request_id, version, changes, note, at, address)
		VALUES ($1, $2, (SELECT COALESCE(MAX(n), 0) + 1 FROM doctor_history WHERE doctor_id = $2), $3, $4, $5, $6, $7, $8, $9, $10)`,
		uuid.NewString(), doctorID, h.action, h.actor, h.request, version, string(changes), h.note, tx.Now().UnixMilli(), h.address)
	return nil
}

// syncDoctor puts the doctor in the bucket of their territory (reps) and,
// when they have an account, in their own; directors get the summary.
func syncDoctor(ctx context.Context, tx syncengine.Tx, d *probasev1.Doctor) error {
	d.ClinicName = ""
	if d.ClinicId != "" {
		if err := tx.QueryRow(ctx, `SELECT name FROM clinics WHERE id = $1`, d.ClinicId).Scan(&d.ClinicName); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	payload, err := proto.Marshal(d)
	if err != nil {
		return err
	}
	buckets := []syncengine.Bucket{auth.TerritoryBucket(d.TerritoryId)}
	if d.UserId != "" {
		buckets = append(buckets, syncengine.UserBucket(d.UserId))
	}
	tx.Put(DoctorCollection, d.Id, payload, buckets...)
	return newSummarizer().put(ctx, tx, d)
}

// valuesFromChanges turns wire field changes into values, refusing fields
// the template does not know.
func valuesFromChanges(changes []*probasev1.FieldChange) (fields.Values, error) {
	v := fields.Values{}
	var bad []syncengine.Violation
	for i, c := range changes {
		if _, ok := DoctorTemplate.Rule(c.Field); !ok {
			bad = append(bad, syncengine.Violation{Field: "changes[" + itoa(i) + "].field", Description: c.Field + " is not a doctor field"})
			continue
		}
		if _, dup := v[c.Field]; dup {
			bad = append(bad, syncengine.Violation{Field: "changes[" + itoa(i) + "].field", Description: c.Field + " is given twice"})
			continue
		}
		v[c.Field] = c.Values
	}
	if len(bad) > 0 {
		return nil, syncengine.Invalid("the changes name unknown fields", bad...)
	}
	return DoctorTemplate.Normalize(v), nil
}

// CreateDoctor adds a doctor to the directory; moderators and admins may.
func (s *Service) CreateDoctor(ctx context.Context, p syncengine.Principal, externalID string, changes []*probasev1.FieldChange) (*probasev1.Doctor, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	v, err := valuesFromChanges(changes)
	if err != nil {
		return nil, err
	}
	if len(v["status"]) == 0 {
		v["status"] = []string{"active"}
	}
	d := &probasev1.Doctor{Id: uuid.NewString(), ExternalId: strings.TrimSpace(externalID), Version: 1}
	err = s.store.Update(ctx, func(tx syncengine.Tx) error {
		if err := checkDoctor(ctx, tx, v); err != nil {
			return err
		}
		if d.ExternalId != "" {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM doctors WHERE external_id = $1`, d.ExternalId).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return syncengine.Errorf(syncengine.ECONFLICT, "a doctor with external id %s already exists", d.ExternalId)
			}
		}
		return saveDoctor(ctx, tx, d, v, historyEntry{action: "created", actor: p.UserID, address: p.Address, changes: changesOf(v)})
	})
	return d, err
}

var clinicID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)

// CreateClinic adds a workplace; moderators and admins may.
func (s *Service) CreateClinic(ctx context.Context, p syncengine.Principal, c *probasev1.Clinic) (*probasev1.Clinic, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	c.Name = strings.TrimSpace(c.Name)
	var v []syncengine.Violation
	if !clinicID.MatchString(c.Id) {
		v = append(v, syncengine.Violation{Field: "id", Description: "use 2-64 lowercase letters, digits and dashes"})
	}
	if c.Name == "" {
		v = append(v, syncengine.Violation{Field: "name", Description: "is required"})
	}
	if len(v) > 0 {
		return nil, syncengine.Invalid("the clinic cannot be created", v...)
	}
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		if _, err := auth.TerritoryRegion(ctx, tx, c.TerritoryId); err != nil {
			return syncengine.Invalid("the clinic cannot be created", syncengine.Violation{Field: "territory_id", Description: "no territory " + c.TerritoryId})
		}
		now := tx.Now().UnixMilli()
		n, err := tx.Exec(ctx, `INSERT INTO clinics (id, name, city, address, territory_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
			ON CONFLICT (id) DO NOTHING`, c.Id, c.Name, c.City, c.Address, c.TerritoryId, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return syncengine.Errorf(syncengine.ECONFLICT, "clinic %s already exists", c.Id)
		}
		payload, err := proto.Marshal(c)
		if err != nil {
			return err
		}
		tx.Put(ClinicCollection, c.Id, payload, auth.TerritoryBucket(c.TerritoryId))
		return nil
	})
	return c, err
}

// LinkAccount connects a directory doctor to the doctor's own account, who
// from then on syncs their record; moderators and admins may.
func (s *Service) LinkAccount(ctx context.Context, p syncengine.Principal, doctorID, userID string) (*probasev1.Doctor, error) {
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return nil, err
	}
	var out *probasev1.Doctor
	err := s.store.Update(ctx, func(tx syncengine.Tx) error {
		u, err := auth.FindUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Role != auth.RoleDoctor {
			return syncengine.Errorf(syncengine.EPRECONDITION, "%s is a %s account, not a doctor's", userID, u.Role)
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM doctors WHERE user_id = $1 AND id <> $2`, userID, doctorID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return syncengine.Errorf(syncengine.ECONFLICT, "account %s is already linked to another doctor", userID)
		}
		d, v, err := lockDoctor(ctx, tx, doctorID)
		if err != nil {
			return err
		}
		d.UserId = userID
		d.Version++
		out = d
		return saveDoctor(ctx, tx, d, v, historyEntry{action: "linked", actor: p.UserID, address: p.Address, note: "account " + userID})
	})
	return out, err
}

// DoctorOfUser returns the directory doctor linked to an account.
func DoctorOfUser(ctx context.Context, q syncengine.Querier, userID string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM doctors WHERE user_id = $1`, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", syncengine.Errorf(syncengine.ENOTFOUND, "your account is not linked to a doctor in the directory")
	}
	return id, err
}

// TerritoryOfUser returns the territory of the directory doctor linked to
// an account, "" for an account linked to none.
func TerritoryOfUser(ctx context.Context, q syncengine.Querier, userID string) (string, error) {
	var t string
	err := q.QueryRow(ctx, territoryOfUserSQL, userID).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return t, err
}

// QueueTerritoryOfUser is TerritoryOfUser queued with
// syncengine.Tx.QueueScan: the territory lands in into when wait returns,
// so the read can share a round trip with the caller's next statement.
func QueueTerritoryOfUser(ctx context.Context, tx syncengine.Tx, userID string, into *string) (wait func() error) {
	w := tx.QueueScan(ctx, []any{into}, territoryOfUserSQL, userID)
	return func() error {
		if err := w(); !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		*into = ""
		return nil
	}
}

const territoryOfUserSQL = `SELECT territory_id FROM doctors WHERE user_id = $1`

// DoctorTerritory returns the territory of a doctor.
func DoctorTerritory(ctx context.Context, q syncengine.Querier, doctorID string) (string, error) {
	var t string
	err := q.QueryRow(ctx, `SELECT territory_id FROM doctors WHERE id = $1`, doctorID).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return "", syncengine.Errorf(syncengine.ENOTFOUND, "there is no doctor %s", doctorID)
	}
	return t, err
}
