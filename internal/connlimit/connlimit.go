// Package connlimit holds the connections of an http.Server to limits
// enforced by its listener: time limits on each phase of a connection
// (Enforce), so that slow or silent clients cannot pile up connections, and
// a cap on the connections open at once (Cap), so that the process never
// runs out of file descriptors.
//
// The time limits are those of http.Server's ReadHeaderTimeout,
// WriteTimeout and IdleTimeout, but net/http enforces those by re-arming
// four read and write deadlines on every request: four runtime timer
// updates and about a dozen clock readings. On a virtual machine, where a
// clock reading costs tens of nanoseconds, that was 3–8 % of the time of a
// cached request (perf record under load: __vdso_clock_gettime and the
// runtime's timer code). Enforced by the listener instead, a request costs
// one atomic store per phase and reads no clock, and one goroutine per
// listener checks every connection a few times a second.
//
// The package knows nothing of the feed server: what to count when a
// connection is closed or refused is a function the caller passes in.
package connlimit

import (
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Timeouts bound how long a client may hold a connection in each of its
// phases, so that slow or silent clients cannot pile up connections.
//
// They are checked by one goroutine per listener rather than by per-request
// deadlines (see the package comment): a connection is closed no sooner
// than its limit and at most two Resolutions after it (later only if the
// checks themselves run late). A zero limit is not enforced.
type Timeouts struct {
	// Header bounds the time from accepting a connection, or from the
	// first byte of a request on a kept-alive one, to the end of the
	// request's header (http.Server.ReadHeaderTimeout).
	Header time.Duration
	// Response bounds the time from the end of the header to the end of
	// the response, reading of any body included
	// (http.Server.WriteTimeout): a client that stops reading is dropped.
	Response time.Duration
	// Idle bounds the wait for the next request on a kept-alive
	// connection (http.Server.IdleTimeout).
	Idle time.Duration
	// Resolution is how often connections are checked; zero means 250 ms.
	Resolution time.Duration
	// Closed, when set, is called for each connection closed for passing
	// a limit, with the limit's name: "header", "response" or "idle". It
	// runs on the listener's own goroutine and should return quickly.
	// cmd/feed passes the feed server's ConnClosed, which counts them
	// for /metrics.
	Closed func(limit string)
}

// Enforce returns ln with every connection it accepts held to t,
// and sets srv.ConnState (calling any hook already there) to follow each
// connection's phase. Serve srv on the listener it returns. srv's own
// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout should stay
// zero: they would re-arm the per-request deadlines this replaces.
//
// Connections are checked until the listener is closed and the last of
// them has ended, so the limits still hold during a graceful shutdown.
func Enforce(srv *http.Server, ln net.Listener, t Timeouts) net.Listener {
	if t.Resolution <= 0 {
		t.Resolution = 250 * time.Millisecond
	}
	// Enough sweep times to reach back past the longest limit, with room
	// for ticks that come early after a late one.
	kept := int(2*max(t.Header, t.Response, t.Idle)/t.Resolution) + 4
	l := &timedListener{
		Listener: ln,
		limits:   [phaseMask + 1]time.Duration{phaseHeader: t.Header, phaseActive: t.Response, phaseIdle: t.Idle},
		every:    t.Resolution,
		closedBy: t.Closed,
		start:    time.Now(),
		sweptAt:  make([]int64, kept),
		conns:    map[*timedConn]struct{}{},
		closed:   make(chan struct{}),
	}
	next := srv.ConnState
	srv.ConnState = func(c net.Conn, state http.ConnState) {
		l.follow(c, state)
		if next != nil {
			next(c, state)
		}
	}
	go l.sweep()
	return l
}

// A connection's phase decides which limit applies to it. It takes the low
// two bits of a timedConn's word.
const (
	phaseHeader = 1 + iota // a request's header is arriving
	phaseActive            // the handler runs and the response is written
	phaseIdle              // kept alive, waiting for the next request

	phaseMask  = 3
	phaseShift = 2 // the sweep count sits above it
)

// connLimitNames name each phase's limit, for Timeouts.Closed.
var connLimitNames = [phaseMask + 1]string{phaseHeader: "header", phaseActive: "response", phaseIdle: "idle"}

// LimitNames returns the names that Timeouts.Closed reports, in the order
// of a connection's phases, so that a caller can create its metric series
// before any connection is closed.
func LimitNames() []string { return slices.Clone(connLimitNames[phaseHeader:]) }

// timedListener tracks the connections it accepted. Each one carries its
// phase and the number of sweeps done when the phase began, packed into one
// word so that the request path needs a single atomic store and reads no
// clock. The phase began before the next sweep read its time, so that time
// bounds how long the phase has lasted, however late the sweeps run: no
// connection is closed before its limit.
type timedListener struct {
	net.Listener
	limits   [phaseMask + 1]time.Duration
	every    time.Duration
	closedBy func(limit string)
	start    time.Time
	sweeps   atomic.Int64
	sweptAt  []int64 // nanoseconds since start of sweep n, at n % len; the sweeper's own

	mu        sync.Mutex
	conns     map[*timedConn]struct{}
	closed    chan struct{}
	closeOnce sync.Once
}

type timedConn struct {
	net.Conn
	l     *timedListener
	phase atomic.Int64 // sweeps<<phaseShift | phase, sweeps as the phase began
}

func (l *timedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &timedConn{Conn: c, l: l}
	tc.enter(phaseHeader) // net/http's header timeout also runs from accept
	l.mu.Lock()
	l.conns[tc] = struct{}{}
	l.mu.Unlock()
	return tc, nil
}

// Close stops accepting; connections already accepted stay held to their
// limits until they end.
func (l *timedListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func (l *timedListener) follow(c net.Conn, state http.ConnState) {
	// Behind TLS the server sees the tls.Conn; the tracked one is under it.
	if u, ok := c.(interface{ NetConn() net.Conn }); ok {
		c = u.NetConn()
	}
	tc, ok := c.(*timedConn)
	if !ok || tc.l != l {
		return
	}
	switch state {
	case http.StateActive:
		tc.enter(phaseActive)
	case http.StateIdle:
		tc.enter(phaseIdle)
	case http.StateHijacked, http.StateClosed:
		// A hijacked connection belongs to its handler, limits and all.
		l.forget(tc)
	}
}

func (l *timedListener) forget(tc *timedConn) {
	l.mu.Lock()
	delete(l.conns, tc)
	l.mu.Unlock()
}

func (c *timedConn) enter(phase int64) {
	c.phase.Store(c.l.sweeps.Load()<<phaseShift | phase)
}

// Read starts the header phase when the first byte of the next request
// arrives on an idle connection, as net/http starts its header timeout.
func (c *timedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		if p := c.phase.Load(); p&phaseMask == phaseIdle {
			c.phase.CompareAndSwap(p, c.l.sweeps.Load()<<phaseShift|phaseHeader)
		}
	}
	return n, err
}

// CloseWrite lets net/http half-close the connection as it would a
// *net.TCPConn, so that a client sees the whole error answer before the
// close.
func (c *timedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// sweep counts itself, notes its time, and closes the connections that
// have been in one phase longer than its limit. Closing makes the blocked
// read or write fail, and net/http ends the connection as it does on a
// deadline.
func (l *timedListener) sweep() {
	ticker := time.NewTicker(l.every)
	defer ticker.Stop()
	type closing struct {
		conn  *timedConn
		limit string
	}
	var expired []closing
	kept := int64(len(l.sweptAt))
	for range ticker.C {
		// Count before reading the time: a phase that saw the old count
		// began before this time.
		sweep := l.sweeps.Add(1)
		now := int64(time.Since(l.start))
		l.sweptAt[sweep%kept] = now
		clear(expired) // no closed connection stays reachable from here
		expired = expired[:0]
		l.mu.Lock()
		for c := range l.conns {
			p := c.phase.Load()
			limit := l.limits[p&phaseMask]
			began := p >> phaseShift // the count the phase saw
			if limit <= 0 || began >= sweep {
				continue // no limit, or begun during this sweep
			}
			// The phase began before sweep began+1 read its time; if that
			// time is no longer kept, before the oldest one that is.
			next := max(began+1, sweep-kept+1)
			if now-l.sweptAt[next%kept] > int64(limit) {
				expired = append(expired, closing{c, connLimitNames[p&phaseMask]})
				delete(l.conns, c)
			}
		}
		done := len(l.conns) == 0 && l.isClosed()
		l.mu.Unlock()
		for _, e := range expired {
			_ = e.conn.Conn.Close()
			if l.closedBy != nil {
				l.closedBy(e.limit)
			}
		}
		if done {
			return
		}
	}
}

func (l *timedListener) isClosed() bool {
	select {
	case <-l.closed:
		return true
	default:
		return false
	}
}

// Capped is a listener that holds at most a maximum number of open
// connections. Past it, a new connection is accepted and closed at once,
// so that the process never runs out of file descriptors: net/http's Serve
// retries a failed Accept after a pause but logs every failure, and a
// process at its descriptor limit can no longer open the catalog file
// either.
type Capped struct {
	net.Listener
	max     int64
	refused func()
	open    atomic.Int64
}

// Cap returns ln holding at most max connections open at once; zero or
// less means no limit, with the connections still counted. refused, when
// set, is called for each connection closed for being past the limit
// (cmd/feed passes the feed server's ConnRefused, which counts them for
// /metrics). Wrap the listener with Enforce after this, so that the time
// limits apply to the connections it lets through.
func Cap(ln net.Listener, max int, refused func()) *Capped {
	return &Capped{Listener: ln, max: int64(max), refused: refused}
}

// Open is the number of connections accepted and not yet closed.
func (l *Capped) Open() int { return int(l.open.Load()) }

// Accept returns the next connection within the limit. Refusing costs the
// refused client no more than a closed connection, and the server no log
// line: an accept error would make http.Server log and pause.
func (l *Capped) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if n := l.open.Add(1); l.max > 0 && n > l.max {
			l.open.Add(-1)
			_ = c.Close()
			if l.refused != nil {
				l.refused()
			}
			continue
		}
		return &limitedConn{Conn: c, l: l}, nil
	}
}

// limitedConn gives its place back when it is first closed: the listener
// that enforces time limits closes a connection, and net/http closes it
// again when its read fails.
type limitedConn struct {
	net.Conn
	l      *Capped
	closed atomic.Bool
}

func (c *limitedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.open.Add(-1)
	}
	return c.Conn.Close()
}

// CloseWrite passes net/http's half-close on to the TCP connection.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
