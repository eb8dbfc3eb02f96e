package console

import (
	"net/http"
	"strings"

	"github.com/ordinatorhq/ordinator/server/auth"
)

// proposedBy starts the note probase writes on an approval.
const proposedBy = "proposed by "

type changeRow struct{ Label, Values string }

type historyRow struct {
	At                         int64
	Actor, Action, Note, Reqst string
	Version                    int64
	Changes                    []changeRow
}

type historyPage struct {
	DoctorID, Doctor, Territory string
	Version                     int64
	Entries                     []historyRow
}

// doctorHistory is a doctor's audit trail (probase's History): who
// proposed, who decided, when, and what changed, newest first.
func (c *Console) doctorHistory(q *request) error {
	ctx := q.r.Context()
	id := q.r.PathValue("id")
	d, err := c.cfg.Directory.FindDoctor(ctx, q.p, id)
	if err != nil {
		return err
	}
	entries, err := c.cfg.Directory.History(ctx, q.p, id)
	if err != nil {
		return err
	}
	// An approval's note names the proposer by id ("proposed by <id>").
	var actors []string
	for _, e := range entries {
		actors = append(actors, e.ActorId)
		if id, ok := strings.CutPrefix(e.Note, proposedBy); ok {
			actors = append(actors, id)
		}
	}
	names, err := c.cfg.Accounts.DisplayNames(ctx, q.p, actors)
	if err != nil {
		return err
	}
	pg := &historyPage{DoctorID: d.Id, Doctor: d.FullName, Territory: d.TerritoryId, Version: d.Version}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		actor := names[e.ActorId]
		switch {
		case e.ActorId == auth.System.UserID:
			actor = q.mustText("history.system")
		case actor == "":
			// An account that is gone.
			actor = e.ActorId
		}
		note := e.Note
		if id, ok := strings.CutPrefix(note, proposedBy); ok && names[id] != "" {
			if note, err = q.lang.format("history.proposed_by", names[id]); err != nil {
				return err
			}
		}
		row := historyRow{At: e.AtUnixMs, Actor: actor, Action: q.mustText("action." + e.Action), Note: note, Reqst: e.RequestId, Version: e.Version}
		for _, ch := range e.Changes {
			row.Changes = append(row.Changes, changeRow{Label: q.fieldLabel(ch.Field), Values: strings.Join(ch.Values, ", ")})
		}
		pg.Entries = append(pg.Entries, row)
	}
	q.render(http.StatusOK, "edits/history", pg)
	return nil
}
