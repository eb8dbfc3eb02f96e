// Package probase is the doctors directory: doctors and clinics synced to
// the reps of their territory, the field templates devices check edits
// with before queuing them (and the server checks again), reps' and
// doctors' proposed edits with field-by-field moderation that never lets
// two concurrent edits silently overwrite each other, the directors' doctor
// summaries without contact details, and the CSV import.
package probase
