module feed

go 1.26.8

require (
	github.com/arran4/golang-ical v0.3.4
	github.com/pelletier/go-toml/v2 v2.4.3
)

require github.com/gorilla/mux v1.8.1
