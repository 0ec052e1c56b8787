package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// The request rates of one run move by ±20 % from round to round on a
// shared virtual machine, more than the 5 % that separates the service from
// bare net/http. Instruction counts barely move (a per cent or two, as
// collections fall in or out of the window): callgrind counts every
// user-space instruction a server executes, Go runtime and collector
// included. The kernel's part of a request is the same for both Go servers
// (the same system calls: one read, and one write for a 304 or two for the
// 18 KB feed, as strace -c shows), so the service's own cost next to bare's
// is measured here without the machine's noise. nginx is counted too, for
// what net/http itself costs next to it; its kernel part differs (writev
// and sendfile), so that ratio is of user space only.

// instructionCase is a request that every server answers alike.
type instructionCase struct {
	name, path string
	header     http.Header
}

// countInstructions runs argv, a server listening on addr, under callgrind
// and returns the user-space instructions it executes per request for each
// case, over requests requests made on connections connections after a
// warm-up.
func countInstructions(dir, name, addr string, argv []string, cases []instructionCase, requests, connections int) ([]float64, error) {
	out := filepath.Join(dir, "callgrind."+name)
	cmd := exec.Command("valgrind", append([]string{"--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=" + out}, argv...)...)
	// The Go servers run with signal-based preemption off, so that signal
	// delivery under valgrind does not enter the count.
	cmd.Env = append(os.Environ(), "GODEBUG=asyncpreemptoff=1")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("valgrind: %w", err)
	}
	s := &server{name: name + " under callgrind", url: "http://" + addr, cmd: cmd, pids: func() []int { return []int{cmd.Process.Pid} }}
	defer s.stop()
	if err := waitUntil(s.url+"/calendar.ics", 2*time.Minute); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	if err := control("-i", "on", pid); err != nil {
		return nil, err
	}
	var perRequest []float64
	for i, c := range cases {
		if err := drive(s.url+c.path, c.header, requests/10, connections); err != nil {
			return nil, fmt.Errorf("%s %s: %w", name, c.name, err)
		}
		if err := control("-z", pid); err != nil {
			return nil, err
		}
		if err := drive(s.url+c.path, c.header, requests, connections); err != nil {
			return nil, fmt.Errorf("%s %s: %w", name, c.name, err)
		}
		if err := control("-d", pid); err != nil {
			return nil, err
		}
		n, err := dumpTotal(out + "." + strconv.Itoa(i+1))
		if err != nil {
			return nil, err
		}
		perRequest = append(perRequest, float64(n)/float64(requests))
	}
	return perRequest, nil
}

func control(args ...string) error {
	if out, err := exec.Command("callgrind_control", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("callgrind_control %v: %v\n%s", args, err, out)
	}
	return nil
}

var summaryLine = regexp.MustCompile(`(?m)^summary: (\d+)$`)

// dumpTotal reads the instruction total of a callgrind dump, which
// callgrind may finish writing after callgrind_control returns.
func dumpTotal(path string) (int64, error) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if m := summaryLine.FindSubmatch(data); m != nil {
			return strconv.ParseInt(string(m[1]), 10, 64)
		}
	}
	return 0, fmt.Errorf("no callgrind dump at %s", path)
}

// drive makes exactly n requests for url, spread over connections
// keep-alive connections, and fails on any answer but 200 or 304.
func drive(url string, header http.Header, n, connections int) error {
	transport := &http.Transport{MaxIdleConnsPerHost: connections, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	var wg sync.WaitGroup
	errs := make([]error, connections)
	for c := range connections {
		share := n / connections
		if c < n%connections {
			share++
		}
		wg.Go(func() {
			for range share {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				if header != nil {
					req.Header = header.Clone()
				}
				resp, err := client.Do(req)
				if err != nil {
					errs[c] = err
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || (resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified) {
					errs[c] = fmt.Errorf("answer %d (%v)", resp.StatusCode, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// waitUntil polls url until it answers 200.
func waitUntil(url string, limit time.Duration) error {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("no answer from %s within %s", url, limit)
}
