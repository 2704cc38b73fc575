package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/wsqgen/wsqgen/generator"
	"github.com/wsqgen/wsqgen/generator/prevtest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wsqgen": func() { os.Exit(run(os.Args[1:], systemStreams())) },
		// wsqgen-prev acts as the previous release, for upgrade tests.
		"wsqgen-prev": func() {
			os.Exit(runApp(os.Args[1:], app{streams: systemStreams(), version: prevtest.Version,
				render: func(a generator.Answers, v string) (*generator.FileSet, error) {
					return generator.RenderFS(prevtest.Templates(), a, v)
				}}))
		},
	})
}

// TestScripts runs the acceptance tests in testdata/script: the wsqgen
// binary as users call it, without a terminal.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"cmptree":  cmpTree,
			"wsclient": wsClient,
		},
		// wsqgen dev builds the project's function: the go command needs
		// the real module and build caches, which testscript hides.
		Setup: func(env *testscript.Env) error {
			for _, k := range []string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOPROXY", "GOFLAGS", "GONOSUMDB", "GOSUMDB", "PATH"} {
				if v := os.Getenv(k); v != "" {
					env.Setenv(k, v)
				}
			}
			for _, k := range []string{"GOPATH", "GOMODCACHE", "GOCACHE"} {
				if os.Getenv(k) == "" {
					out, err := exec.Command("go", "env", k).Output()
					if err != nil {
						return err
					}
					env.Setenv(k, strings.TrimSpace(string(out)))
				}
			}
			// A port the kernel has just handed out and released, so that
			// scripts do not collide with whatever else the machine runs.
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			env.Setenv("DEVPORT", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
			return l.Close()
		},
	})
}

// wsClient connects to a WebSocket URL (retrying while the server starts),
// sends each frame given and prints every frame it receives until it has
// read the number asked for: wsclient URL COUNT FRAME...
func wsClient(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: wsclient URL COUNT FRAME...")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var c *websocket.Conn
	for {
		c, _, err = websocket.Dial(ctx, args[0], nil)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			ts.Fatalf("connect %s: %v", args[0], err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer c.CloseNow()
	for _, f := range args[2:] {
		ts.Check(c.Write(ctx, websocket.MessageText, []byte(f)))
	}
	for i := 0; i < n; i++ {
		_, b, err := c.Read(ctx)
		ts.Check(err)
		fmt.Fprintf(ts.Stdout(), "%s\n", b)
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// cmpTree compares two directory trees byte for byte, file modes included.
func cmpTree(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmptree dir1 dir2")
	}
	read := func(dir string) map[string]string {
		out := map[string]string{}
		root := ts.MkAbs(dir)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			out[rel] = fmt.Sprintf("%v\n%s", info.Mode(), data)
			return err
		})
		ts.Check(err)
		return out
	}
	a, b := read(args[0]), read(args[1])
	var diffs bytes.Buffer
	for p, da := range a {
		if db, ok := b[p]; !ok {
			fmt.Fprintf(&diffs, "only in %s: %s\n", args[0], p)
		} else if da != db {
			fmt.Fprintf(&diffs, "differs: %s\n", p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			fmt.Fprintf(&diffs, "only in %s: %s\n", args[1], p)
		}
	}
	switch {
	case neg && diffs.Len() == 0:
		ts.Fatalf("%s and %s are identical", args[0], args[1])
	case !neg && diffs.Len() > 0:
		ts.Fatalf("%s and %s differ:\n%s", args[0], args[1], diffs.String())
	}
}
