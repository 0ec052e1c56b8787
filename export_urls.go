package feed

// ExportURLs lists the URLs that an export fetches to begin with: the feeds
// in both formats, every linked variant under its query form and its named
// address, every event, the page, and the day-status API's index, years
// and dates. Links
// found in the page are fetched as well. Pass them to export.Write with the
// snapshot's server.
func (s *Snapshot) ExportURLs() []string {
	urls := []string{"/", CalendarPath, "/calendar.json"}
	for _, v := range LinkedVariants() {
		named, _ := CalendarFilePath(v)
		urls = append(urls, withQuery(CalendarPath, v.Query()), named)
	}
	for _, ev := range s.Catalog.Events {
		urls = append(urls, EventPath(ev.ID), eventPrefix+ev.ID+".json")
	}
	return append(urls, s.days.exportURLs()...)
}
