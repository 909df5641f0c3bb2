// ratewrk: an open-loop HTTP/1.1 load generator for bench/run (Debian has wrk but not wrk2).
//
// Requests are scheduled at a fixed rate (request i is due at start + i/rate) over a fixed number of
// keep-alive connections. A free connection takes the next due request, waits until it is due and sends
// it; the latency of a request is measured from when it was due, not from when it was sent, so a server
// that falls behind is charged for the queue it causes (no "coordinated omission", as in wrk2).
//
// usage: ratewrk -url http://127.0.0.1:PORT/path -rate 10000 -conns 64 -duration 10s [-warmup 2s] [-H 'Name: value']...
// Sending stops at the end of the measured time; requests that were due but never sent (the server fell
// that far behind) count with the time they had waited by then, a lower bound, so a slow server cannot
// look fast by answering fewer requests.
// Prints one line: "offered=<req/s> achieved=<answered req/s> n=<answered> unsent=<count> p50=<ms> p90=<ms>
// p99=<ms> p999=<ms> max=<ms> errors=<socket errors + non-2xx>" (percentiles over answered + unsent).
// Exits 2 on bad arguments.
//
// Build: go build -o ratewrk bench/ratewrk.go (standard library only).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	target := flag.String("url", "", "http:// URL to GET")
	rate := flag.Float64("rate", 10000, "requests per second offered")
	conns := flag.Int("conns", 64, "keep-alive connections")
	duration := flag.Duration("duration", 10*time.Second, "measured time")
	warmup := flag.Duration("warmup", 0, "unrecorded time at the same rate before measuring")
	var hs headers
	flag.Var(&hs, "H", "request header (repeatable)")
	flag.Parse()
	u, err := url.Parse(*target)
	if err != nil || u.Scheme != "http" || *rate <= 0 || *conns <= 0 {
		fmt.Fprintln(os.Stderr, "ratewrk: need -url http://..., -rate > 0, -conns > 0")
		os.Exit(2)
	}
	path := u.RequestURI()
	req := "GET " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\n"
	for _, h := range hs {
		req += h + "\r\n"
	}
	req += "\r\n"

	total := *warmup + *duration
	n := int(total.Seconds() * *rate)
	interval := time.Duration(float64(time.Second) / *rate)
	start := time.Now().Add(50 * time.Millisecond)
	measureFrom := start.Add(*warmup)
	deadline := start.Add(total)
	next := make(chan int)
	var taken sync.WaitGroup
	taken.Add(1)
	unsentFrom := n
	go func() {
		defer taken.Done()
		defer close(next)
		for i := 0; i < n; i++ {
			select {
			case next <- i:
			case <-time.After(time.Until(deadline)):
				unsentFrom = i
				return
			}
		}
	}()

	var mu sync.Mutex
	var lat []time.Duration
	errors := 0
	var wg sync.WaitGroup
	for c := 0; c < *conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn net.Conn
			var rd *bufio.Reader
			var mine []time.Duration
			myErrors := 0
			for i := range next {
				due := start.Add(time.Duration(i) * interval)
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				if conn == nil {
					conn, err = net.Dial("tcp", u.Host)
					if err != nil {
						conn = nil
						myErrors++
						continue
					}
					rd = bufio.NewReaderSize(conn, 64*1024)
				}
				ok, reuse := exchange(conn, rd, req)
				done := time.Now()
				if !reuse {
					conn.Close()
					conn = nil
				}
				if due.Before(measureFrom) {
					continue
				}
				if ok {
					mine = append(mine, done.Sub(due))
				} else {
					myErrors++
				}
			}
			if conn != nil {
				conn.Close()
			}
			mu.Lock()
			lat = append(lat, mine...)
			errors += myErrors
			mu.Unlock()
		}()
	}
	wg.Wait()
	taken.Wait()
	end := time.Now()
	elapsed := end.Sub(measureFrom)
	answered := len(lat)
	for i := unsentFrom; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if !due.Before(measureFrom) {
			lat = append(lat, end.Sub(due))
		}
	}
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		k := int(p * float64(len(lat)))
		if k >= len(lat) {
			k = len(lat) - 1
		}
		return float64(lat[k]) / 1e6
	}
	maxv := 0.0
	if len(lat) > 0 {
		maxv = float64(lat[len(lat)-1]) / 1e6
	}
	fmt.Printf("offered=%.0f achieved=%.0f n=%d unsent=%d p50=%.3f p90=%.3f p99=%.3f p999=%.3f max=%.3f errors=%d\n",
		*rate, float64(answered)/elapsed.Seconds(), answered, len(lat)-answered, q(0.50), q(0.90), q(0.99), q(0.999), maxv, errors)
}

// exchange sends one request and reads the whole response: ok is false on a socket error or a non-2xx
// status, reuse whether the connection can carry the next request.
func exchange(conn net.Conn, rd *bufio.Reader, req string) (ok, reuse bool) {
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		return false, false
	}
	status, err := rd.ReadString('\n')
	if err != nil || len(status) < 12 {
		return false, false
	}
	code, _ := strconv.Atoi(status[9:12])
	length, chunked, closeAfter := int64(-1), false, false
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return false, false
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			length, _ = strconv.ParseInt(value, 10, 64)
		case "transfer-encoding":
			chunked = strings.Contains(strings.ToLower(value), "chunked")
		case "connection":
			closeAfter = strings.EqualFold(value, "close")
		}
	}
	switch {
	case chunked:
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return false, false
			}
			size, err := strconv.ParseInt(strings.TrimSpace(strings.SplitN(line, ";", 2)[0]), 16, 64)
			if err != nil {
				return false, false
			}
			if _, err := rd.Discard(int(size) + 2); err != nil {
				return false, false
			}
			if size == 0 {
				break
			}
		}
	case length >= 0:
		if _, err := rd.Discard(int(length)); err != nil {
			return false, false
		}
	default:
		return false, false
	}
	return code >= 200 && code < 300, !closeAfter
}
