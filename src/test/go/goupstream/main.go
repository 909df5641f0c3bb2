// Command goupstream is the local upstream of binaryrepo's Go end-to-end test: a module proxy (the
// GOPROXY protocol) serving real module zips built from source directories, and a checksum database
// signed with a test key generated at start-up, both on 127.0.0.1.
//
// It is built by the test with Debian's Go in GOPATH mode against golang.org/x/mod from Debian's
// golang-golang-x-mod-dev (/usr/share/gocode); nothing comes from the internet.
//
// Usage:
//
//	goupstream -src DIR -out DIR -sumdb NAME [-fillers N]
//
// -src holds one directory per module version, named like the module cache: DIR/<module path>@<version>/
// (module path not escaped, e.g. example.com/Upper/lib@v1.0.0), each with its go.mod (a +incompatible
// version has none: its .mod is synthesized, as proxies do). -out receives
// the GOPROXY tree (<escaped path>/@v/list, .info, .mod, .zip). The checksum database NAME is served
// under /sumdb/NAME/ (lookup, latest, tile). It first records every module version of -src, then
// -fillers made-up records, so that the tree holds full tiles as well as partial ones.
//
// Standard output, one line each: "vkey <verifier key>", then "listening http://127.0.0.1:PORT", then
// "request <METHOD> <raw path> <status> <User-Agent>" for every request served. The program exits when
// its standard input is closed, so it never outlives the test that started it.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/sumdb/note"
	modzip "golang.org/x/mod/zip"
)

func main() {
	src := flag.String("src", "", "module sources: DIR/<module path>@<version>/")
	out := flag.String("out", "", "where to write the GOPROXY tree")
	dbName := flag.String("sumdb", "", "name of the checksum database, e.g. sum.test.example")
	fillers := flag.Int("fillers", 300, "made-up records added after the real ones")
	flag.Parse()
	if *src == "" || *out == "" || *dbName == "" {
		fail(errors.New("-src, -out and -sumdb are required"))
	}

	sums, err := buildTree(*src, *out)
	if err != nil {
		fail(err)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, *dbName)
	if err != nil {
		fail(err)
	}
	db := sumdb.NewTestServer(skey, func(p, v string) ([]byte, error) {
		if lines, ok := sums[p+"@"+v]; ok {
			return lines, nil
		}
		if strings.HasPrefix(p, "filler.test/") {
			// Well-formed go.sum lines for a module that exists only in this database.
			h := "h1:" + strings.Repeat("A", 43) + "="
			return []byte(fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", p, v, h, p, v, h)), nil
		}
		return nil, fs.ErrNotExist
	})
	// Real modules first, in a fixed order, so their records sit in the first (full) tile.
	var keys []string
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ctx := context.Background()
	for _, k := range keys {
		i := strings.LastIndex(k, "@")
		if _, err := db.Lookup(ctx, module.Version{Path: k[:i], Version: k[i+1:]}); err != nil {
			fail(err)
		}
	}
	for i := 0; i < *fillers; i++ {
		if _, err := db.Lookup(ctx, module.Version{Path: fmt.Sprintf("filler.test/m%d", i), Version: "v1.0.0"}); err != nil {
			fail(err)
		}
	}

	mux := http.NewServeMux()
	prefix := "/sumdb/" + *dbName
	mux.Handle(prefix+"/", http.StripPrefix(prefix, sumdbHandler{sumdb.NewServer(db)}))
	mux.Handle("/", files{root: *out})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	fmt.Println("vkey " + vkey)
	fmt.Println("listening http://" + ln.Addr().String())
	go func() {
		// The test holds our standard input; when it closes (or dies) we go too.
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fail(http.Serve(ln, logged{mux}))
}

// buildTree writes the GOPROXY tree for every module version under src and returns the go.sum lines
// of each, keyed by "<path>@<version>".
func buildTree(src, out string) (map[string][]byte, error) {
	sums := map[string][]byte{}
	versions := map[string][]string{}
	err := filepath.WalkDir(src, func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || !strings.Contains(d.Name(), "@") {
			return err
		}
		rel, err := filepath.Rel(src, dir)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		at := strings.LastIndex(rel, "@")
		m := module.Version{Path: rel[:at], Version: rel[at+1:]}
		lines, err := writeVersion(m, dir, out)
		if err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
		sums[m.Path+"@"+m.Version] = lines
		if !module.IsPseudoVersion(m.Version) {
			// Like real proxies, the list names tagged versions only.
			versions[m.Path] = append(versions[m.Path], m.Version)
		} else if _, ok := versions[m.Path]; !ok {
			versions[m.Path] = nil
		}
		return filepath.SkipDir
	})
	if err != nil {
		return nil, err
	}
	for p, vs := range versions {
		semver.Sort(vs)
		esc, _ := module.EscapePath(p)
		list := strings.Join(vs, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(out, esc, "@v", "list"), []byte(list), 0o644); err != nil {
			return nil, err
		}
	}
	return sums, nil
}

// writeVersion writes .info, .mod and .zip of one module version and returns its go.sum lines.
func writeVersion(m module.Version, dir, out string) ([]byte, error) {
	if err := module.Check(m.Path, m.Version); err != nil {
		return nil, err
	}
	escPath, err := module.EscapePath(m.Path)
	if err != nil {
		return nil, err
	}
	escVers, err := module.EscapeVersion(m.Version)
	if err != nil {
		return nil, err
	}
	base := filepath.Join(out, escPath, "@v", escVers)
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return nil, err
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if errors.Is(err, fs.ErrNotExist) && strings.HasSuffix(m.Version, "+incompatible") {
		// A +incompatible version has no go.mod; proxies serve a synthesized one.
		gomod, err = []byte("module "+m.Path+"\n"), nil
	}
	if err != nil {
		return nil, err
	}
	info, _ := json.Marshal(map[string]string{"Version": m.Version, "Time": "2024-01-02T03:04:05Z"})
	if err := os.WriteFile(base+".info", info, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(base+".mod", gomod, 0o644); err != nil {
		return nil, err
	}
	var zip bytes.Buffer
	if err := modzip.CreateFromDir(&zip, m, dir); err != nil {
		return nil, err
	}
	if err := os.WriteFile(base+".zip", zip.Bytes(), 0o644); err != nil {
		return nil, err
	}
	zipHash, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
	if err != nil {
		return nil, err
	}
	modHash, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gomod)), nil
	})
	if err != nil {
		return nil, err
	}
	return []byte(fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", m.Path, m.Version, zipHash, m.Path, m.Version, modHash)), nil
}

// files serves the GOPROXY tree: regular files only, no directory listings, no redirects.
type files struct{ root string }

func (f files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := path.Clean("/" + r.URL.Path)
	name := filepath.Join(f.root, filepath.FromSlash(p))
	st, err := os.Stat(name)
	if err != nil || !st.Mode().IsRegular() {
		http.Error(w, "not found: "+p, http.StatusNotFound)
		return
	}
	switch path.Ext(p) {
	case ".info":
		w.Header().Set("Content-Type", "application/json")
	case ".zip":
		w.Header().Set("Content-Type", "application/zip")
	default:
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	}
	http.ServeFile(w, r, name)
}

// sumdbHandler adds the /supported endpoint to the checksum database server.
type sumdbHandler struct{ db http.Handler }

func (s sumdbHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/supported" {
		w.WriteHeader(http.StatusOK)
		return
	}
	s.db.ServeHTTP(w, r)
}

// logged prints one line per request with its status.
type logged struct{ h http.Handler }

var printMu sync.Mutex

func (l logged) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	l.h.ServeHTTP(sw, r)
	printMu.Lock()
	defer printMu.Unlock()
	fmt.Printf("request %s %s %d %s\n", r.Method, r.URL.RequestURI(), sw.status, r.UserAgent())
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "goupstream:", err)
	os.Exit(1)
}
