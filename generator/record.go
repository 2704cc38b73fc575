package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// RecordPath is where a generated project keeps its record, relative to its
// root. Upgrades and checks start from it.
const RecordPath = "wsqgen.json"

// Record is what a project remembers of its generation: which wsqgen made
// it, from which answers, and what every generated file looked like (by
// hash), so that later runs can tell user edits from template changes.
type Record struct {
	Version       string                `json:"wsqgen_version"`
	SchemaVersion int                   `json:"schema_version"`
	Answers       Answers               `json:"answers"`
	Files         map[string]RecordFile `json:"files"`
}

// RecordFile is the record of one generated file.
type RecordFile struct {
	Hash  string    `json:"sha256"`
	Owner Ownership `json:"ownership"`
}

// NewRecord describes a rendered file set.
func NewRecord(a Answers, version string, set *FileSet) Record {
	r := Record{Version: version, SchemaVersion: SchemaVersion, Answers: a, Files: map[string]RecordFile{}}
	for _, f := range set.Files {
		r.Files[f.Path] = RecordFile{Hash: f.Hash(), Owner: f.Owner}
	}
	return r
}

// Marshal encodes the record deterministically (encoding/json sorts map
// keys), indented for readable diffs in the user's repository.
func (r Record) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadRecord loads the record of the project in dir.
func ReadRecord(dir string) (Record, error) {
	data, err := os.ReadFile(filepath.Join(dir, RecordPath))
	if err != nil {
		return Record{}, fmt.Errorf("read project record: %w (is %s a project made by wsqgen?)", err, dir)
	}
	r, err := ParseRecord(data)
	if err != nil {
		return r, fmt.Errorf("read project record %s: %w", filepath.Join(dir, RecordPath), err)
	}
	return r, nil
}

// ParseRecord decodes a record, migrating its answers to the current schema.
func ParseRecord(data []byte) (Record, error) {
	var raw struct {
		Version       string                `json:"wsqgen_version"`
		SchemaVersion int                   `json:"schema_version"`
		Answers       json.RawMessage       `json:"answers"`
		Files         map[string]RecordFile `json:"files"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Record{}, err
	}
	a, err := migrateAnswers(raw.Answers, raw.SchemaVersion)
	if err != nil {
		return Record{}, err
	}
	return Record{Version: raw.Version, SchemaVersion: SchemaVersion, Answers: a, Files: raw.Files}, nil
}
