package probase

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"

	probasev1 "github.com/ordinatorhq/ordinator/api/ordinator/probase/v1"
	"github.com/ordinatorhq/ordinator/rules/fields"
	"github.com/ordinatorhq/ordinator/server/auth"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// importColumns maps CSV headers to doctor template fields. Phones are
// separated by ";" within their cell.
var importColumns = map[string]string{
	"full_name": "full_name", "specialty": "specialty", "clinic_id": "clinic_id", "position": "position",
	"phones": "phones", "email": "email", "postal_code": "delivery_address.postal_code", "city": "delivery_address.city",
	"street": "delivery_address.street", "building": "delivery_address.building", "apartment": "delivery_address.apartment",
	"territory_id": "territory_id", "status": "status",
}

// LineError is a CSV line that could not be imported.
type LineError struct {
	Line       int
	ExternalID string
	Err        error
}

func (e LineError) Error() string {
	return fmt.Sprintf("line %d (%s): %v", e.Line, e.ExternalID, e.Err)
}

// ImportReport says what an import did.
type ImportReport struct {
	Created, Updated, Unchanged int
	Errors                      []LineError
}

// ImportRow is one parsed line of a doctors CSV.
type ImportRow struct {
	line   int
	extID  string
	values fields.Values
}

// ReadImport parses a doctors CSV: a header row naming external_id and
// template columns, then one doctor per line. It returns the rows and the
// lines that could not even be read.
func ReadImport(r io.Reader) ([]ImportRow, []LineError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the header: %w", err)
	}
	cols := make([]string, len(header))
	hasID := false
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "external_id" {
			hasID = true
			cols[i] = h
			continue
		}
		f, ok := importColumns[h]
		if !ok {
			known := slices.Sorted(maps.Keys(importColumns))
			return nil, nil, fmt.Errorf("unknown column %q (known: external_id, %s)", h, strings.Join(known, ", "))
		}
		cols[i] = f
	}
	if !hasID {
		return nil, nil, errors.New("the file needs an external_id column: re-importing matches doctors by it")
	}
	var rows []ImportRow
	var bad []LineError
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			bad = append(bad, LineError{Line: line, Err: err})
			continue
		}
		row := ImportRow{line: line, values: fields.Values{}}
		for i, cell := range rec {
			if i >= len(cols) {
				break
			}
			switch cols[i] {
			case "external_id":
				row.extID = strings.TrimSpace(cell)
			case "phones":
				row.values["phones"] = strings.Split(cell, ";")
			default:
				row.values[cols[i]] = []string{cell}
			}
		}
		row.values = DoctorTemplate.Normalize(row.values)
		if len(row.values["status"]) == 0 {
			row.values["status"] = []string{"active"}
		}
		if row.extID == "" {
			bad = append(bad, LineError{Line: line, Err: errors.New("external_id is empty")})
			continue
		}
		rows = append(rows, row)
	}
	return rows, bad, nil
}

// Import creates or updates doctors by external id, checking every row
// with the doctor template. A row that fails is reported with its line and
// skipped; importing the same file again changes nothing. progress, if
// set, is called after each row.
func (s *Service) Import(ctx context.Context, p syncengine.Principal, rows []ImportRow, progress func(done int)) (ImportReport, error) {
	var rep ImportReport
	if err := auth.Require(p, auth.RoleModerator); err != nil {
		return rep, err
	}
	seen := map[string]int{}
	for chunk := range slices.Chunk(rows, 200) {
		// The store may run the transaction more than once: what a run
		// learns is kept only once it commits.
		var part ImportReport
		var first map[string]int
		err := s.store.Update(ctx, func(tx syncengine.Tx) error {
			part, first = ImportReport{}, map[string]int{}
			for _, r := range chunk {
				line, dup := seen[r.extID]
				if !dup {
					line, dup = first[r.extID]
				}
				if dup {
					part.Errors = append(part.Errors, LineError{Line: r.line, ExternalID: r.extID, Err: fmt.Errorf("external_id also on line %d", line)})
					continue
				}
				first[r.extID] = r.line
				outcome, err := importOne(ctx, tx, p, r)
				var de *syncengine.Error
				switch {
				case errors.As(err, &de):
					part.Errors = append(part.Errors, LineError{Line: r.line, ExternalID: r.extID, Err: de})
				case err != nil:
					return err
				default:
					switch outcome {
					case "created":
						part.Created++
					case "updated":
						part.Updated++
					default:
						part.Unchanged++
					}
				}
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
		maps.Copy(seen, first)
		rep.Created, rep.Updated, rep.Unchanged = rep.Created+part.Created, rep.Updated+part.Updated, rep.Unchanged+part.Unchanged
		rep.Errors = append(rep.Errors, part.Errors...)
		if progress != nil {
			progress(len(chunk))
		}
	}
	return rep, nil
}

func importOne(ctx context.Context, tx syncengine.Tx, p syncengine.Principal, r ImportRow) (string, error) {
	if err := checkDoctor(ctx, tx, r.values); err != nil {
		return "", err
	}
	var id string
	err := tx.QueryRow(ctx, `SELECT id FROM doctors WHERE external_id = $1`, r.extID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		d := &probasev1.Doctor{Id: uuid.NewString(), ExternalId: r.extID, Version: 1}
		return "created", saveDoctor(ctx, tx, d, r.values, historyEntry{action: "imported", actor: p.UserID, address: p.Address, changes: changesOf(r.values)})
	}
	if err != nil {
		return "", err
	}
	d, current, err := lockDoctor(ctx, tx, id)
	if err != nil {
		return "", err
	}
	changed := fields.Values{}
	for f, v := range r.values {
		if !same(v, current[f]) {
			changed[f] = v
		}
	}
	if len(changed) == 0 {
		return "unchanged", nil
	}
	next := maps.Clone(current)
	maps.Copy(next, changed)
	d.Version++
	return "updated", saveDoctor(ctx, tx, d, next, historyEntry{action: "imported", actor: p.UserID, address: p.Address, changes: changesOf(changed)})
}
