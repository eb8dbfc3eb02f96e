package mobile

import (
	"fmt"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/cases"
	"github.com/ordinatorhq/ordinator/mobile-sdk/content"
	"github.com/ordinatorhq/ordinator/mobile-sdk/doctors"
	"github.com/ordinatorhq/ordinator/mobile-sdk/gifts"
	"github.com/ordinatorhq/ordinator/mobile-sdk/inbox"
	"github.com/ordinatorhq/ordinator/mobile-sdk/reports"
)

// The platform's domain modules. Each adds its typed collections and the
// device side of its mutations (the server's own checks, run before
// anything is queued, and the optimistic effects), so that Replica.Mutate
// with the module's mutation names and args (the protos of
// ordinator.<area>.v1, serialised by the app's generated code) refuses on
// the device what the server would refuse, with an error naming the fields.
const (
	moduleDoctors = "doctors"
	moduleCases   = "cases"
	moduleGifts   = "gifts"
	moduleInbox   = "inbox"
	moduleContent = "content"
	moduleReports = "reports"
)

// addModule registers a domain module once.
func (s *Schema) addModule(name string, register func(*sdk.Schema)) (err error) {
	defer recoverInto(&err)
	if s.modules[name] {
		return fmt.Errorf("mobile: the %s module is already in the schema", name)
	}
	if err := s.add("the "+name+" module", register); err != nil {
		return err
	}
	if s.modules == nil {
		s.modules = map[string]bool{}
	}
	s.modules[name] = true
	return nil
}

// AddDoctors adds the doctors directory: collections "doctor", "clinic",
// "doctor_summary" (a director's view of doctors, without contact
// details), "edit_request" and "field_template", and
// "doctor.propose_edit" checked with the field template the server synced.
// See Replica.CheckDoctorEdit and Replica.ProposeDoctorEdit.
func (s *Schema) AddDoctors() error { return s.addModule(moduleDoctors, doctors.Register) }

// AddCases adds clinical cases: collections "case" and "case_comment", and
// "case.save_draft", "case.submit", "case.withdraw" and "case.comment"
// (fields, anonymity of free text and photos checked on the device). See
// Replica.AddCasePhoto and Replica.SubmitCase.
func (s *Schema) AddCases() error { return s.addModule(moduleCases, cases.Register) }

// AddGifts adds gift waves and points: collections "gift_wave",
// "gift_catalog_item", "gift_order", "points_balance" and "points_entry",
// and "gift.place_order" (items, quantities and balance checked on the
// device; the order shows at once, its points taken off).
func (s *Schema) AddGifts() error { return s.addModule(moduleGifts, gifts.Register) }

// AddInbox adds the notification inbox: collection "inbox" and
// "inbox.mark_read". See Replica.RegisterPushToken and Replica.HandlePush.
func (s *Schema) AddInbox() error { return s.addModule(moduleInbox, inbox.Register) }

// AddContent adds the content library: collections "content_item" (with
// its offline full-text index), "content_progress" and "training_status",
// and "content.record_progress" and "training.complete" (the quiz graded
// on the device as the server will). See Replica.SearchContent.
func (s *Schema) AddContent() error { return s.addModule(moduleContent, content.Register) }

// AddReports adds the directors' report snapshots: collection
// "report_snapshot" (ordinator.reports.v1.ReportSnapshot), the current
// week and month of each followed region and territory, read offline.
func (s *Schema) AddReports() error { return s.addModule(moduleReports, reports.Register) }

// needs refuses a call that only makes sense with a module in the schema
// the replica was opened with: without it a mutation would be queued
// unchecked.
func (r *Replica) needs(module, call string) error {
	if r.r == nil {
		return fmt.Errorf("mobile: %s on a replica that is not open", call)
	}
	if !r.modules[module] {
		return fmt.Errorf("mobile: %s needs the %s module: call Schema.Add%s before Open", call, module, exported(module))
	}
	return nil
}

func exported(module string) string {
	if module == "" {
		return ""
	}
	return string(module[0]-'a'+'A') + module[1:]
}
