package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

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
			"cmptree": cmpTree,
		},
	})
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
