package main

// The time zone database is built into the binary: devices name their
// IANA zones (reminders at 09:00 local, quiet hours), and the server must
// know every one of them even where the system has no zoneinfo.
import _ "time/tzdata"
