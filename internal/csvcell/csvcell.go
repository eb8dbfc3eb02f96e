// Package csvcell keeps the cells of exported CSV files from being read as
// formulas by a spreadsheet.
package csvcell

// Safe returns s with a leading quote when a spreadsheet would read it as
// a formula (it starts with =, +, - or @).
func Safe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
