package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Finding is one reason a project does not match what wsqgen would make.
type Finding struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// CheckResult is what Check found; an empty Findings list means the project
// is as its answers and this wsqgen produce.
type CheckResult struct {
	Dir             string    `json:"dir"`
	RecordedVersion string    `json:"recorded_version"`
	Version         string    `json:"version"`
	UpgradePending  bool      `json:"upgrade_pending"`
	Findings        []Finding `json:"findings"`
}

// RenderFunc renders answers into a file set; Render with a version bound
// in, or a test's older template set.
type RenderFunc func(Answers) (*FileSet, error)

// Check compares a project with its record and with what render makes of
// the recorded answers: the record must agree with the base archive, owned
// files must be untouched, and the render must equal the base (else an
// upgrade is pending).
func Check(dir string, render RenderFunc) (*CheckResult, error) {
	rec, err := ReadRecord(dir)
	if err != nil {
		return nil, err
	}
	base, err := LoadBase(dir)
	if err != nil {
		return nil, err
	}
	next, err := render(rec.Answers)
	if err != nil {
		return nil, err
	}
	version, _ := readVersion(next)
	res := &CheckResult{Dir: dir, RecordedVersion: rec.Version, Version: version, Findings: []Finding{}}
	add := func(p, reason string) { res.Findings = append(res.Findings, Finding{p, reason}) }

	for p, rf := range rec.Files {
		if p == RecordPath || p == BasePath {
			continue
		}
		data, ok := base[p]
		switch {
		case !ok:
			add(p, "in the record but not in "+BasePath+": the record is inconsistent")
		case hashOf(data) != rf.Hash:
			add(p, "the record's hash does not match "+BasePath+": the record is inconsistent")
		}
		if rf.Owner != Owned {
			continue
		}
		disk, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			add(p, "generated file (owned by wsqgen) is missing")
		case err != nil:
			return nil, err
		case hashOf(disk) != rf.Hash:
			add(p, "generated file (owned by wsqgen) was edited: change the answers and run wsqgen upgrade instead")
		}
	}
	for p := range base {
		if _, ok := rec.Files[p]; !ok {
			add(p, "in "+BasePath+" but not in the record: the record is inconsistent")
		}
	}

	for _, f := range next.Files {
		if f.Path == RecordPath || f.Path == BasePath {
			continue
		}
		old, ok := base[f.Path]
		switch {
		case !ok:
			add(f.Path, "this wsqgen would add it: run wsqgen upgrade")
			res.UpgradePending = true
		case !bytes.Equal(old, f.Data):
			add(f.Path, "this wsqgen would change it: run wsqgen upgrade")
			res.UpgradePending = true
		}
	}
	for p := range base {
		if _, ok := next.Lookup(p); !ok && p != RecordPath && p != BasePath {
			add(p, "this wsqgen would remove it: run wsqgen upgrade")
			res.UpgradePending = true
		}
	}
	sort.Slice(res.Findings, func(i, j int) bool {
		if res.Findings[i].Path != res.Findings[j].Path {
			return res.Findings[i].Path < res.Findings[j].Path
		}
		return res.Findings[i].Reason < res.Findings[j].Reason
	})
	return res, nil
}

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
