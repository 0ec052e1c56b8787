module feed

go 1.26.8

require (
	github.com/arran4/golang-ical v0.3.4
	github.com/pelletier/go-toml/v2 v2.4.3
)

require github.com/gorilla/mux v1.8.1

require (
	github.com/emersion/go-ical v0.0.0-20250329121855-f41e73efc392 // indirect
	github.com/fsnotify/fsnotify v1.10.1 // indirect
	github.com/teambition/rrule-go v1.8.2 // indirect
	golang.org/x/sys v0.13.0 // indirect
)
